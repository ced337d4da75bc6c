"""Cold start: the import time of app.py, as packaged, against a bare Chalice app that imports boto3
(SPEC §8), and the size of the Lambda zip.

    .venv/bin/python -m bench.cold_start [--runs 15] [--zip build/prod/deployment.zip]

What is measured is what a Lambda runs: the zip `make deploy` would upload (built here with
`chalice package --stage prod` and infra/package.py, unless --zip names one), unpacked, imported with
nothing else on the path (`python -S`: no site-packages, so nothing from the dev virtualenv can stand in
for a missing dependency). The bare app imports chalice and boto3 from the virtualenv, with their
bytecode, as the Lambda runtime provides boto3.

Each import is timed inside a fresh interpreter (`python -c`), so nothing is cached in memory; the
interpreter's own start-up is left out (it is the same for all). Runs alternate between the variants so
that machine noise falls on all of them alike; one discarded run of each comes first. Reports the
median, min and max wall time per variant and the ratio of medians, the median CPU time and its ratio,
the zip's size, and the packages that dominate app.py's import (from `python -X importtime`).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

from bench.table import markdown_table
from infra import package

ROOT = Path(__file__).resolve().parent.parent
# Wall and CPU seconds of the import. CPU time is printed beside wall time because this machine is
# shared: other processes' load stretches wall time (the cold start a Lambda sees is CPU-bound, its init
# having the core to itself), while CPU time counts only this import's own work.
TIMER = ("import time\nstarted, cpu = time.perf_counter(), time.process_time()\n{body}\n"
         "print(time.perf_counter() - started, time.process_time() - cpu)\n")
APP = "app.py (this service, as packaged)"
APP_FIRST_BODY = "app.py, then a first POST's body validated"
APP_ALL_TABLES = "app.py, then the DynamoDB client of every table"
REFERENCE = "bare Chalice app + boto3"
VARIANTS = {
    APP: "import app",
    # What the import no longer does (chalicelib/http/schema_refs.py): the first request with a JSON body
    # imports pydantic and its route's schema module and builds the validator. Shown so that the import's
    # ratio is not read as the whole cold start of such a request. GET routes never pay it.
    APP_FIRST_BODY: "import app\nfrom chalicelib.http.api import ROUTES\n"
                    "spec = next(s for s in ROUTES if s.method == 'POST' and s.path == '/companies/{companyId}/issues')\n"
                    "spec.body.model_validate({'title': 'Cold start'})",
    # What a Lambda's first requests add to the import: the botocore client(s) behind the tables they
    # touch, here all of them (chalicelib/store/connection.py: one client for every table), against the
    # bare app's one DynamoDB client below.
    APP_ALL_TABLES: "import app\nfrom chalicelib.store.registry import ALL_MODELS\n"
                    "clients = {id(m._get_connection().connection.client) for m in ALL_MODELS}",
    REFERENCE: "import boto3\nfrom chalice import Chalice\nbare = Chalice(app_name='bare')\n"
               "bare.route('/')(lambda: {'ok': True})",
    "bare Chalice app + boto3 + one DynamoDB client": "import boto3\nfrom chalice import Chalice\n"
                                                      "bare = Chalice(app_name='bare')\n"
                                                      "client = boto3.client('dynamodb')",
    "bare Chalice app, no boto3": "from chalice import Chalice\nbare = Chalice(app_name='bare')",
}


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    # What the Lambda has: a stage and its settings; no AWS call happens at import. PYTHON* variables of
    # this shell (PYTHONPATH, PYTHONDONTWRITEBYTECODE, ...) are not the Lambda's.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    # Credentials in the environment, as a Lambda's role gives them (without any, PynamoDB would rebuild
    # a client on every use).
    return {**env, "PAPERCLIP_STAGE": "bench", "AUTH_MODE": "authenticated", "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "ASIABENCH", "AWS_SECRET_ACCESS_KEY": "bench", **(extra or {})}


def _command(name: str, unpacked: Path, code: str, *flags: str) -> tuple[list[str], Path, dict[str, str]]:
    if name in (APP, APP_FIRST_BODY, APP_ALL_TABLES):
        # Nothing written beside the code: a Lambda's /var/task is read-only, so a zip without bytecode
        # compiles on every cold start, and so it does here (a zip from before infra/package.py, say).
        env = _env({"PYTHONPATH": str(unpacked), "PYTHONDONTWRITEBYTECODE": "1"})
        return [sys.executable, "-S", *flags, "-c", code], unpacked, env
    return [sys.executable, *flags, "-c", code], ROOT, _env()


def import_seconds(name: str, unpacked: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one import in a fresh interpreter."""
    command, cwd, env = _command(name, unpacked, TIMER.format(body=VARIANTS[name]))
    out = subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout
    wall, cpu = out.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def heaviest_packages(unpacked: Path, top: int = 8) -> list[tuple[str, float]]:
    """Self import time summed per top-level package, from one `python -X importtime` run."""
    command, cwd, env = _command(APP, unpacked, VARIANTS[APP], "-X", "importtime")
    err = subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True, text=True).stderr
    totals: Counter = Counter()
    for line in err.splitlines():
        if not line.startswith("import time:") or "|" not in line or "self [us]" in line:
            continue
        self_us, _cumulative, name = (part.strip() for part in line[len("import time:"):].split("|"))
        totals[name.split(".")[0]] += int(self_us)
    return [(name, us / 1000) for name, us in totals.most_common(top)]


def build_zip(workdir: Path) -> Path:
    """The prod stage's zip, built as infra/deploy.sh builds it (about a minute: PyPI wheels)."""
    project = workdir / "project"
    project.mkdir()
    package.copy_project(project)
    out = workdir / "prod"
    package.chalice_package(project, "prod", out)
    package.finish(out / "deployment.zip", package.runtime_of(out / "sam.json"))
    return out / "deployment.zip"


def zip_facts(path: Path) -> list[tuple[str, str]]:
    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
    return [("zip", f"{path.stat().st_size / 2**20:.1f} MiB"),
            ("unpacked", f"{sum(e.file_size for e in entries) / 2**20:.1f} MiB"),
            ("files", f"{len(entries):,}")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start")
    parser.add_argument("--runs", type=int, default=15, help="fresh interpreters per variant (default 15)")
    parser.add_argument("--zip", type=Path, help="a finished deployment.zip (default: build one now)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        zip_path = args.zip or build_zip(workdir)
        unpacked = workdir / "unpacked"
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(unpacked)
        wall: dict[str, list[float]] = {name: [] for name in VARIANTS}
        cpu: dict[str, list[float]] = {name: [] for name in VARIANTS}
        for name in VARIANTS:
            import_seconds(name, unpacked)  # not counted
        for _ in range(args.runs):
            for name in VARIANTS:
                seconds, cpu_seconds = import_seconds(name, unpacked)
                wall[name].append(seconds * 1000)
                cpu[name].append(cpu_seconds * 1000)
        heaviest = heaviest_packages(unpacked)
        facts = zip_facts(zip_path)

    reference, cpu_reference = statistics.median(wall[REFERENCE]), statistics.median(cpu[REFERENCE])
    rows = [(name, f"{statistics.median(w):.0f}", f"{min(w):.0f}", f"{max(w):.0f}",
             f"{statistics.median(w) / reference:.2f}", f"{statistics.median(cpu[name]):.0f}",
             f"{statistics.median(cpu[name]) / cpu_reference:.2f}") for name, w in wall.items()]
    print(f"Import time in ms, {args.runs} fresh interpreters each: wall (median, min, max, ratio of medians to "
          f"the {REFERENCE}) and CPU (median, ratio of medians)\n")
    print(markdown_table(("variant", "median ms", "min ms", "max ms", "ratio", "CPU median ms", "CPU ratio"), rows))
    print("\nThe Lambda zip (prod)\n")
    print(markdown_table(("", ""), facts))
    print("\nWhere app.py's import time goes (self time per top-level package, one -X importtime run)\n")
    print(markdown_table(("package", "ms"), [(name, f"{ms:.1f}") for name, ms in heaviest]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
