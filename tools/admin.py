"""Admin command: create a board user (and its first token) directly in a stage's tables.

It runs with the caller's AWS credentials rather than a Paperclip token, which is how the first
instance-admin of a freshly deployed stage is made:

    .venv/bin/python -m tools.admin create-board-user --stage prod --name "Ops" --instance-admin

Local use: `--endpoint http://127.0.0.1:PORT` points it at a moto server. The token is printed once.
"""
from __future__ import annotations

import argparse
import json
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.admin")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create-board-user", help="create a board user and print its token")
    create.add_argument("--stage", required=True, help="stage whose tables to write (table prefix paperclip-{stage}-)")
    create.add_argument("--table-prefix", help="override the table prefix")
    create.add_argument("--region", help="AWS region (default: from the environment)")
    create.add_argument("--endpoint", help="AWS endpoint URL (a local moto server)")
    create.add_argument("--name", required=True)
    create.add_argument("--email")
    create.add_argument("--instance-admin", action="store_true")
    create.add_argument("--member", action="append", default=[], metavar="COMPANY_ID[:perm,perm]",
                        help="company membership; permissions default to all")
    args = parser.parse_args(argv)

    os.environ["PAPERCLIP_STAGE"] = args.stage
    os.environ["PAPERCLIP_TABLE_PREFIX"] = args.table_prefix or f"paperclip-{args.stage}-"
    if args.region:
        os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = args.region
    if args.endpoint:
        os.environ["AWS_ENDPOINT_URL"] = args.endpoint

    # Imported only now: table names are fixed from the environment on first import.
    from chalicelib import clock
    from chalicelib.errors import DomainError
    from chalicelib.services.org import board_users
    from chalicelib.services.org.companies import ALL_PERMISSIONS

    memberships = {}
    for spec in args.member:
        company_id, _, perms = spec.partition(":")
        memberships[company_id] = [p for p in perms.split(",") if p] or list(ALL_PERMISSIONS)
    data = {"name": args.name, "email": args.email, "isInstanceAdmin": args.instance_admin, "memberships": memberships}
    try:
        user, token = board_users.create(None, data, clock.current().now())
    except DomainError as exc:
        print(json.dumps({"error": exc.message, "details": exc.details}), file=sys.stderr)
        return 2
    print(json.dumps(board_users.to_json(user, token), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
