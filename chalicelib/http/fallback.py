"""Answers for requests no endpoint serves, registered as routes so API Gateway forwards them too.

- `405 {"error": "Method not allowed"}` + `Allow` for every method of METHODS a known path does not
  serve. On API Gateway a method that is not defined on a resource never reaches the Lambda (it would
  be API Gateway's own 403), so each one is registered here; locally the app class would answer the
  same (chalicelib/http/application.py).
- `404 {"error": "Not found"}` for any path under /api that no endpoint has: the greedy catch-all
  `/api/{proxy+}` (API Gateway sends it whatever no other resource matches). Its view is never called:
  PaperclipChalice.__call__ answers greedy resource paths before Chalice would look for a view argument.

Neither goes through the route wrapper: no principal is resolved, so an unknown path says the same to
everyone (a 404 before authentication, as API Gateway's own "not found" would) and nothing is logged
as an endpoint. Built from `api.ROUTES` once every route module has registered (routes/__init__.py).
"""
from __future__ import annotations

from collections import defaultdict

from chalice import Blueprint, Response

from chalicelib.http.api import ROUTES
from chalicelib.http.application import CATCH_ALL, REFUSES, method_not_allowed_response, not_found_response

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def blueprint() -> Blueprint:
    bp = Blueprint(__name__)
    served: dict[str, set[str]] = defaultdict(set)
    for spec in ROUTES:
        served[spec.path].add(spec.method)
    for n, (path, methods) in enumerate(sorted(served.items())):
        missing = [m for m in METHODS if m not in methods]
        if missing:
            bp.route(path, methods=missing, content_types=["*/*"])(_refuse(sorted(methods), n))
    catch_all = CATCH_ALL.removeprefix("/api")
    bp.route(catch_all, methods=list(METHODS), content_types=["*/*"])(_not_found)
    return bp


def _refuse(allowed: list[str], n: int):
    def view(**_path_params: str) -> Response:
        return method_not_allowed_response(allowed)

    view.__name__ = f"method_not_allowed_{n}"
    setattr(view, REFUSES, True)
    return view


def _not_found(**_path_params: str) -> Response:
    return not_found_response()


setattr(_not_found, REFUSES, True)
