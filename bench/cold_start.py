"""Cold start: the import time of app.py against a bare Chalice app that imports boto3 (SPEC §8).

    .venv/bin/python -m bench.cold_start [--runs 15]

Each import is timed inside a fresh interpreter (`python -c`), so nothing is cached in memory; the
interpreter's own start-up is left out (it is the same for both). Runs alternate between the variants
so that machine noise falls on all of them alike; one discarded run of each first writes the .pyc
files, as a deployment package that ships them would have. Reports the median and the ratio, and the
packages that dominate app.py's import (from `python -X importtime`).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench.table import markdown_table

ROOT = Path(__file__).resolve().parent.parent
TIMER = "import time\nstarted = time.perf_counter()\n{body}\nprint(time.perf_counter() - started)\n"
VARIANTS = {
    "app.py (this service)": "import app",
    "bare Chalice app + boto3": "import boto3\nfrom chalice import Chalice\nbare = Chalice(app_name='bare')\n"
                                "bare.route('/')(lambda: {'ok': True})",
    "bare Chalice app, no boto3": "from chalice import Chalice\nbare = Chalice(app_name='bare')",
}
REFERENCE = "bare Chalice app + boto3"


def _env() -> dict[str, str]:
    # What the Lambda has: a stage and its settings; no AWS call happens at import.
    return {**os.environ, "PAPERCLIP_STAGE": "bench", "AUTH_MODE": "authenticated", "AWS_DEFAULT_REGION": "us-east-1"}


def import_seconds(body: str) -> float:
    out = subprocess.run([sys.executable, "-c", TIMER.format(body=body)], cwd=ROOT, env=_env(), check=True,
                         capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def heaviest_packages(body: str, top: int = 8) -> list[tuple[str, float]]:
    """Self import time summed per top-level package, from one `python -X importtime` run."""
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", body], cwd=ROOT, env=_env(), check=True,
                         capture_output=True, text=True).stderr
    totals: Counter = Counter()
    for line in err.splitlines():
        if not line.startswith("import time:") or "|" not in line or "self [us]" in line:
            continue
        self_us, _cumulative, name = (part.strip() for part in line[len("import time:"):].split("|"))
        totals[name.split(".")[0]] += int(self_us)
    return [(name, us / 1000) for name, us in totals.most_common(top)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start")
    parser.add_argument("--runs", type=int, default=15, help="fresh interpreters per variant (default 15)")
    runs = parser.parse_args(argv).runs
    samples: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for name, body in VARIANTS.items():
        import_seconds(body)  # writes the .pyc files; not counted
    for _ in range(runs):
        for name, body in VARIANTS.items():
            samples[name].append(import_seconds(body) * 1000)

    reference = statistics.median(samples[REFERENCE])
    rows = [(name, f"{statistics.median(s):.0f}", f"{min(s):.0f}", f"{max(s):.0f}",
             f"{statistics.median(s) / reference:.2f}") for name, s in samples.items()]
    print(f"Import time in ms, {runs} fresh interpreters each (median, min, max; ratio of medians to the "
          f"{REFERENCE})\n")
    print(markdown_table(("variant", "median ms", "min ms", "max ms", "ratio"), rows))
    print("\nWhere app.py's import time goes (self time per top-level package, one -X importtime run)\n")
    print(markdown_table(("package", "ms"), [(name, f"{ms:.1f}") for name, ms in heaviest_packages(VARIANTS["app.py (this service)"])]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
