"""The scheduler tick: called by the per-minute Lambda and by the local runner's loop, with a clock.

Schedule triggers arrive with the routines issue; until then a tick finds nothing due.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from chalicelib.clock import Clock, iso
from chalicelib.logs import emit


@dataclass
class TickReport:
    now: str
    due: int = 0
    fired: int = 0
    failed: int = 0
    more: bool = False


def tick(clock: Clock) -> TickReport:
    started = time.perf_counter()
    report = TickReport(now=iso(clock.now()) or "")
    emit({"type": "scheduler_tick", **asdict(report), "latencyMs": round((time.perf_counter() - started) * 1000, 2)})
    return report
