"""Issues for the documents and attachments tests.

Through `POST /api/companies/{cid}/issues` when that endpoint exists; until then an Issue item and its
identifier key are written directly, exactly as the issues service would store them.
"""
from __future__ import annotations

import itertools

_numbers = itertools.count(1)


def make_issue(api, world, title: str = "Write the plan", company: dict | None = None) -> dict:
    """An issue of `company` (default: the world's), as `{"id", "identifier", "companyId"}`."""
    from app import app

    company = company or world.company
    if "POST" not in app.routes.get("/api/companies/{companyId}/issues", {}):  # the issues API is not there yet
        return _store_issue(company, title)
    response = api.post(f"/api/companies/{company['id']}/issues", {"title": title, "status": "todo"})
    assert response.status == 201, response
    return {k: response.json[k] for k in ("id", "identifier", "companyId")}


def _store_issue(company: dict, title: str) -> dict:
    from chalicelib.clock import epoch_ms, iso
    from chalicelib.clock import current as current_clock
    from chalicelib.ids import new_id
    from chalicelib.store.issues import Issue, list_sort_key
    from chalicelib.store.transactions import Transaction
    from chalicelib.store.uniques import UniqueKey, issue_identifier_key

    now = current_clock().now()
    issue_id = new_id()
    identifier = f"{company['issuePrefix']}-{next(_numbers)}"
    issue = Issue(
        id=issue_id, company_id=company["id"], identifier=identifier, title=title, status="todo",
        priority="medium", created_at=iso(now), updated_at=iso(now),
        list_sort=list_sort_key("medium", epoch_ms(now), issue_id),
    )
    tx = Transaction()
    tx.save(issue)
    tx.save(UniqueKey(key=issue_identifier_key(identifier), ref=issue_id))
    tx.commit()
    return {"id": issue_id, "identifier": identifier, "companyId": company["id"]}
