"""Routine reads and writes against the size of the company (issue 11): requests at 10 and 10,000 routines.

One routine with a schedule and a webhook trigger and a run is created through the API, then cloned
(infra/local/seed.py) to 10 and then 10,000 routines with 20,000 triggers. At each size it counts the
DynamoDB requests of the routines list (first page: all 10, then 50 of 10,000), a routine's detail and a routine create,
each called as a board member with a real token. The counts must be equal at both sizes: nothing on
these paths reads the company's other routines or triggers.

Run: `.venv/bin/python -m bench.routines_at_scale` (a minute or two: seeding dominates).
"""
from __future__ import annotations

import sys

from bench.harness import app_client, build_world, expect, fixed_clock, local_aws
from bench.table import markdown_table

SIZES = (10, 10_000)


def _count(world, method: str, path: str, body=None, status: int = 200):
    from chalicelib.store.request_count import counting

    with counting() as calls:
        response = expect(world.client.call(method, path, body, token=world.board), status, f"{method} {path}")
    return calls, response


def _measure(world, template: str, size: int) -> dict[str, object]:
    listed, page = _count(world, "GET", f"/api/companies/{world.cid}/routines?limit=50")
    if len(page.json) != min(size, 50) or not all(len(r["triggers"]) == 2 for r in page.json):
        raise AssertionError("the first page should hold up to 50 routines with their 2 triggers each")
    detail, _ = _count(world, "GET", f"/api/routines/{template}")
    created, _ = _count(world, "POST", f"/api/companies/{world.cid}/routines",
                        {"title": "Another", "projectId": world.project, "goalId": world.goal,
                         "assigneeAgentId": world.alice}, status=201)
    return {"GET /api/companies/{companyId}/routines (50 per page)": listed,
            "GET /api/routines/{routineId}": detail,
            "POST /api/companies/{companyId}/routines": created}


def _cell(calls) -> str:
    return f"{sum(calls.values())} ({', '.join(f'{op} {n}' for op, n in sorted(calls.items()))})"


def main() -> int:
    with local_aws(), fixed_clock(), app_client() as client:
        from infra.local.seed import clone_routine

        world = build_world(client)
        template = world.post(f"/api/companies/{world.cid}/routines",
                              {"title": "Daily digest", "projectId": world.project, "assigneeAgentId": world.alice})["id"]
        for trigger in ({"kind": "schedule", "cronExpression": "0 9 * * *", "timezone": "Europe/Amsterdam"},
                        {"kind": "webhook"}):
            expect(client.call("POST", f"/api/routines/{template}/triggers", trigger, token=world.board), 201, "trigger")
        expect(client.call("POST", f"/api/routines/{template}/run", {}, token=world.board), 202, "run")
        results: dict[int, dict] = {}
        have = 1
        for size in SIZES:
            print(f"seeding {size:,} routines …", file=sys.stderr)
            clone_routine(template, size - have)
            have = size
            results[size] = _measure(world, template, size)
            have += 1  # the measured create
        rows = []
        for name in results[SIZES[0]]:
            small, large = (sum(results[s][name].values()) for s in SIZES)
            rows.append([name, _cell(results[SIZES[0]][name]), _cell(results[SIZES[1]][name]),
                         "yes" if small == large else "NO"])
        print(markdown_table(["endpoint", f"{SIZES[0]:,} routines", f"{SIZES[1]:,} routines", "constant"], rows))
        return 0 if all(r[-1] == "yes" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
