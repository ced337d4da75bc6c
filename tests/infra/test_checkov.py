"""checkov on the packaged templates of both stages: every finding is either fixed or listed, with its
reason, in docs/deploy.md ("What checkov reports and why it stays"); a listed finding that checkov no
longer reports fails too, so the list cannot go stale.

checkov lives in its own virtualenv (.venv/checkov, from requirements-checkov.txt, made by `make test`):
it pins a boto3/botocore that cannot sit beside the ones the Lambda ships. One run covers both stages.

checkov reads each template with the REST API's OpenAPI `paths` emptied (checkov_copies): parsing the
~200 KB of Chalice-generated path items (each method's Lambda integration) was over 90% of its run
(51 s of 56 on an idle machine), and no CloudFormation check of checkov reads them: on 2026-11-30 the
full and the emptied prod template gave the same passed and failed checks. Everything else (the API's
own properties, stage settings, roles, tables, bucket, key) is checked as packaged; cfn-lint
(test_package.py) still reads the whole template.
"""
from __future__ import annotations

import fnmatch
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.infra.conftest import STAGES

ROOT = Path(__file__).resolve().parents[2]
CHECKOV = Path(sys.prefix) / "checkov" / "bin" / "checkov"
DOCS = ROOT / "docs" / "deploy.md"
SECTION = "## What checkov reports and why it stays"
ROW = re.compile(r"^\| `(CKV2?_[A-Z0-9_]+)` \| ([^|]+) \| [^|]*\S[^|]* \|$")


def accepted() -> dict[str, list[str]]:
    """check id -> resource patterns (fnmatch, logical ids), from the docs table. Each row needs a reason."""
    text = DOCS.read_text()
    assert SECTION in text, f"{DOCS} lacks the section {SECTION!r}"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    rows: dict[str, list[str]] = {}
    for line in section.splitlines():
        match = ROW.match(line.strip())
        if match:
            rows[match.group(1)] = [p.strip().strip("`") for p in match.group(2).split(",")]
    return rows


def checkov_copies(packaged, into: Path) -> Path:
    """`into`/<stage>/sam.json for each stage: the packaged template with the API's `paths` emptied."""
    for stage in STAGES:
        template = json.loads((packaged[stage] / "sam.json").read_text())
        apis = [r for r in template["Resources"].values() if r["Type"] in ("AWS::Serverless::Api", "AWS::ApiGateway::RestApi")]
        assert apis and all(api["Properties"]["DefinitionBody"]["paths"] for api in apis)
        for api in apis:
            api["Properties"]["DefinitionBody"]["paths"] = {}
        (into / stage).mkdir(parents=True)
        (into / stage / "sam.json").write_text(json.dumps(template))
    return into


def findings(packaged, build: Path, details: dict | None = None) -> set[tuple[str, str, str]]:
    """(stage, check id, resource logical id) of every failed check; `details` gets what checkov said
    about each (the keys it evaluated), for the failure message."""
    # Relative paths, from the build folder: checkov's parser stores each file's path in every resource
    # it reads, and CKV_AWS_45 then scans it as an environment value. Under xdist the absolute path holds a
    # 32-hex run id, and ".../<run id>/dev/sam" is 40 characters of the AWS-secret-key alphabet.
    build = checkov_copies(packaged, build)
    command = [str(CHECKOV), "--framework", "cloudformation", "--output", "json", "--skip-download", "--soft-fail"]
    for stage in STAGES:
        command += ["--file", f"{stage}/sam.json"]
    # Only what checkov needs from the environment: the test process carries fake AWS credentials and
    # the app's settings, none of which is checkov's business.
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env, cwd=build)
    assert result.returncode == 0, result.stderr[-3000:]
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    found = set()
    for report in reports:
        assert report["summary"]["parsing_errors"] == 0, report["summary"]
        assert report["summary"]["passed"] > 50  # checkov read the whole template, not an empty one
        for failed in report["results"]["failed_checks"]:
            stage = next(s for s in STAGES if failed["file_path"].lstrip("/") == f"{s}/sam.json")
            key = (stage, failed["check_id"], failed["resource"].rsplit(".", 1)[-1])
            found.add(key)
            if details is not None:
                details[key] = (failed.get("check_result") or {}).get("evaluated_keys")
    return found


def test_every_checkov_finding_is_fixed_or_listed_with_its_reason(packaged, tmp_path):
    listed = accepted()
    details: dict = {}
    found = findings(packaged, tmp_path / "checkov", details)
    unlisted = sorted(f for f in found if not any(fnmatch.fnmatchcase(f[2], p) for p in listed.get(f[1], [])))
    assert not unlisted, (f"fix these or list them with a reason in {DOCS.name}: {unlisted} "
                          f"(evaluated: {[details.get(f) for f in unlisted]})")
    stale = sorted((check, pattern) for check, patterns in listed.items() for pattern in patterns
                   if not any(f[1] == check and fnmatch.fnmatchcase(f[2], pattern) for f in found))
    assert not stale, f"listed in {DOCS.name} but no longer reported (remove them): {stale}"
    assert {s for s, _, _ in found} == set(STAGES)  # both templates were read
