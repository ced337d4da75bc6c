"""One scheduler tick at a given instant, against the tables the environment names:

    python -m tests.browser.fire_tick 2027-03-26T01:30:05Z

The browser tests run it beside `make run`'s server (BoardServer.tick) to make a schedule run happen
at a chosen time instead of waiting for the runner's own minute loop: the same `scheduler.tick` the
Lambda and the loop call, with a FakeClock. Prints the tick's report as JSON.
"""
from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import datetime


def main(argv: list[str]) -> int:
    from chalicelib.clock import FakeClock
    from chalicelib.services.routines import scheduler

    at = datetime.fromisoformat(argv[0].replace("Z", "+00:00"))
    print(json.dumps(asdict(scheduler.tick(FakeClock(at)))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
