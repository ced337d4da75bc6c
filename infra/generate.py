"""Write infra/cloudformation/resources.json from the code (`make infra`).

    .venv/bin/python -m infra.generate          # (re)write the template
    .venv/bin/python -m infra.generate --check  # exit 1 if the checked-in template is stale
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

TEMPLATE_PATH = Path(__file__).resolve().parent / "cloudformation" / "resources.json"


def render(template: dict[str, Any]) -> str:
    return json.dumps(template, indent=2, sort_keys=True) + "\n"


def generate() -> str:
    # Reading the Chalice app needs a region; nothing here talks to AWS.
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    from infra.template import build

    return render(build())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.generate")
    parser.add_argument("--check", action="store_true", help="fail if the checked-in template is out of date")
    args = parser.parse_args(argv)
    text = generate()
    current = TEMPLATE_PATH.read_text() if TEMPLATE_PATH.exists() else ""
    if args.check:
        if current != text:
            print(f"{TEMPLATE_PATH} is out of date: run `make infra`", file=sys.stderr)
            return 1
        return 0
    TEMPLATE_PATH.parent.mkdir(parents=True, exist_ok=True)
    TEMPLATE_PATH.write_text(text)
    print(f"wrote {TEMPLATE_PATH.relative_to(Path.cwd()) if TEMPLATE_PATH.is_relative_to(Path.cwd()) else TEMPLATE_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
