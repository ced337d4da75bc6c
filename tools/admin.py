"""Admin command: create a board user (and its first token) directly in a stage's tables.

It runs with the caller's AWS credentials rather than a Paperclip token, which is how the first
instance-admin of a freshly deployed stage is made:

    .venv/bin/python -m tools.admin create-board-user --stage prod --name "Ops" --instance-admin

Against `make run` (`--stage local`) it needs nothing else: the runner's endpoints are read from
`<data dir>/stack.json` and local dummy credentials are used. `--endpoint URL` points it at any other
AWS-compatible endpoint. The token is printed once. Missing credentials or an unreachable endpoint
are a one-line message and exit status 2, not a traceback.
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

    if args.stage == "local" and not args.endpoint and not _endpoint_in_environment():
        problem = _use_local_stack()
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            return 2
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
    except Exception as exc:  # noqa: BLE001 - only the known environment problems become a message
        problem = _environment_problem(exc, args.stage)
        if problem is None:
            raise
        print(f"error: {problem}", file=sys.stderr)
        return 2
    print(json.dumps(board_users.to_json(user, token), indent=2))
    return 0


def _endpoint_in_environment() -> bool:
    return bool(os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL_DYNAMODB"))


def _use_local_stack() -> str | None:
    """Point this process at the running `make run` stack; returns a problem to report, or None."""
    from infra.local import stack_file  # deferred: only the local stage needs the dev tooling

    info = stack_file.read()
    if info is None:
        return (f"no local stack is running on {stack_file.data_dir()}: start it with `make run` "
                "(same PAPERCLIP_DATA_DIR), or pass --endpoint")
    os.environ.update(stack_file.client_env(info))
    return None


def _environment_problem(exc: BaseException, stage: str) -> str | None:
    """A readable sentence for missing credentials or an unreachable endpoint found anywhere in the
    exception's chain (PynamoDB wraps botocore's errors), else None."""
    from botocore.exceptions import EndpointConnectionError, NoCredentialsError, NoRegionError

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, NoCredentialsError):
            return (f"no AWS credentials found for stage {stage!r}: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and "
                    "AWS_SECRET_ACCESS_KEY) for the account that holds the stage; for the local stack use "
                    "--stage local while `make run` is running")
        if isinstance(seen, NoRegionError):
            return "no AWS region configured: pass --region or set AWS_REGION"
        if isinstance(seen, EndpointConnectionError):
            return f"cannot reach the AWS endpoint ({seen}); is the stack running?"
        seen = seen.__cause__ or seen.__context__
    return None


if __name__ == "__main__":
    sys.exit(main())
