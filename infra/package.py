"""Finish the Lambda zip that `chalice package` wrote: bytecode in, unused botocore service models out.

    .venv/bin/python -m infra.package build/prod/deployment.zip

infra/deploy.sh runs it between `chalice package` and `aws cloudformation package`; the packaging
tests and bench/cold_start.py build through `build()` below, so what they check is what deploys.
Build tooling: never shipped.

- **Bytecode.** Chalice unpacks wheels and copies chalicelib without `.pyc` files, and a Lambda's
  /var/task is read-only, so every cold start compiled every module it imported from source (botocore,
  pydantic, chalicelib: most of the import time). Each `.py` now gets its `__pycache__` entry, compiled
  by this interpreter (the same minor version as the Lambda runtime: checked against the template) as an
  *unchecked-hash* pyc: CPython loads it without comparing the source's mtime, which the zip does not
  keep exactly (DOS timestamps have a 2-second resolution). Sources stay, so tracebacks show lines.
- **botocore's service models.** botocore ships one JSON model per AWS service (about two thirds of
  the zip); the code calls four services (BOTOCORE_SERVICES). The others' folders are dropped.
  tests/infra/test_package.py fails when the Lambda role grants a service that is not kept here, so a
  new kind of AWS call cannot ship without its model.

The result replaces the zip in place. Errors: ValueError when the zip is not a chalice package or the
interpreter's version differs from the template's runtime.
"""
from __future__ import annotations

import argparse
import compileall
import json
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent

# The AWS services the shipped code calls (tests/infra/test_policy_matches_code.py maps calls to IAM
# actions; test_package.py checks these are exactly the services the roles grant, logs aside).
BOTOCORE_SERVICES = ("dynamodb", "kms", "s3", "ssm")
BOTOCORE_DATA = "botocore/data/"


def runtime_of(template_path: Path) -> str:
    """The Python runtime the template's functions declare, e.g. "python3.11"."""
    template = json.loads(template_path.read_text())
    runtimes = {r["Properties"]["Runtime"] for r in template["Resources"].values()
                if r.get("Type") in ("AWS::Serverless::Function", "AWS::Lambda::Function")}
    if len(runtimes) != 1:
        raise ValueError(f"expected one Lambda runtime in {template_path}, found {sorted(runtimes)}")
    return runtimes.pop()


def keep(name: str) -> bool:
    """Whether a zip entry stays: everything but the model folders of services the code never calls."""
    if not name.startswith(BOTOCORE_DATA):
        return True
    rest = name[len(BOTOCORE_DATA):]
    if "/" not in rest:
        return True  # endpoints.json, partitions.json, _retry.json, sdk-default-configuration.json, ...
    return rest.split("/", 1)[0] in BOTOCORE_SERVICES


def finish(zip_path: Path, runtime: str) -> dict[str, int]:
    """Rewrite `zip_path` in place; returns counts {"kept", "dropped", "compiled"}."""
    here = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if runtime != here:
        raise ValueError(f"the template's runtime is {runtime} but this is {here}: bytecode would not load")
    with zipfile.ZipFile(zip_path) as source:
        entries = source.infolist()
        if "app.py" not in source.namelist() or "chalice/app.py" not in source.namelist():
            raise ValueError(f"{zip_path} is not a chalice deployment package")
        # Bytecode chalice copied from a source tree (timestamp-checked) is replaced by ours.
        kept = [e for e in entries if keep(e.filename) and not e.filename.endswith(".pyc")]
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            for entry in kept:
                if entry.filename.endswith(".py"):
                    source.extract(entry, root)
            # Deterministic names and no optimisation level: what `import` looks for by default.
            compileall.compile_dir(str(root), quiet=2, workers=os.cpu_count() or 1,
                                   invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
            compiled = sorted(p for p in root.rglob("*.pyc"))
            partial = zip_path.with_suffix(".partial.zip")
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as out:
                for entry in kept:
                    out.writestr(entry, source.read(entry), compress_type=zipfile.ZIP_DEFLATED)
                for pyc in compiled:
                    out.write(pyc, pyc.relative_to(root).as_posix())
    shutil.move(partial, zip_path)
    return {"kept": len(kept), "dropped": len(entries) - len(kept), "compiled": len(compiled)}


def copy_project(dest: Path, project_dir: Path = PROJECT_DIR) -> None:
    """What `chalice package` reads, and nothing else (no caches, no virtualenv, no build output)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copy2(project_dir / "app.py", dest / "app.py")
    shutil.copy2(project_dir / "requirements.txt", dest / "requirements.txt")
    shutil.copytree(project_dir / "chalicelib", dest / "chalicelib", ignore=ignore)
    if (project_dir / "vendor").is_dir():
        shutil.copytree(project_dir / "vendor", dest / "vendor", ignore=ignore)
    (dest / ".chalice").mkdir()
    shutil.copy2(project_dir / ".chalice" / "config.json", dest / ".chalice" / "config.json")


def chalice_package(project: Path, stage: str, out: Path, merge_template: Path | None = None) -> None:
    """`chalice package` of a copied project. It needs a region to read the app, any region (nothing is
    called); it downloads Lambda-platform wheels from PyPI. Errors: RuntimeError with chalice's output."""
    command = [str(Path(sys.executable).parent / "chalice"), "package", "--stage", stage]
    if merge_template:
        command += ["--merge-template", str(merge_template)]
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"}
    result = subprocess.run([*command, str(out)], cwd=project, env=env, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise RuntimeError(f"chalice package --stage {stage} failed:\n{result.stdout}{result.stderr}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.package")
    parser.add_argument("zip", type=Path, help="deployment.zip written by chalice package (sam.json beside it)")
    args = parser.parse_args(argv)
    counts = finish(args.zip, runtime_of(args.zip.parent / "sam.json"))
    print(f"{args.zip}: {counts['compiled']} modules compiled, {counts['dropped']} unused botocore model files "
          f"dropped, {args.zip.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
