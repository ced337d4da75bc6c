"""The Chalice application class, and how requests no route serves are answered.

**Thread-local request.** Chalice keeps the request being handled in `app.current_request`, one
attribute on the shared app. In a Lambda that is fine (one request at a time), but `chalice local` and
the race tests serve requests on many threads at once, where a shared attribute would hand one
request's headers to another. Here it is thread-local, so concurrency tests exercise the real code
path safely.

**Unknown routes and methods** (issue 14, SPEC §1) answer in the contract's shape, never Chalice's or
API Gateway's own bodies (which echo the caller's `Authorization` header, token included):
- an unknown path is `404 {"error": "Not found"}`: the app serves a greedy catch-all route
  (`/api/{proxy+}`, http/fallback.py). Deployed, API Gateway sends every path no other resource
  matches there; anything else it refuses itself goes through the gateway responses of
  infra/template/gateway.py (404 / fixed messages, never the request's headers).
- a known path with a method it does not serve is `405 {"error": "Method not allowed"}` with an
  `Allow` header: the app registers the other methods of every known path (http/fallback.py), so API
  Gateway forwards them too; `PaperclipChalice.__call__` answers what is left (HEAD).

Chalice's local gateway (`chalice local`, `chalice.test`, the tests' live server) matches only routes
whose segment count equals the request's and refuses anything else itself, with a 403 that echoes the
token. Chalice has no greedy path support locally (aws/chalice#2012, unmerged), so when its local
module is present (never in the Lambda package) `GreedyRouteMatcher` replaces its matcher: the same
matching first, then the longest greedy route whose prefix matches, then the catch-all for anything.
"""
from __future__ import annotations

import json
import threading
import uuid
from typing import Any

from chalice import Chalice, Response

GREEDY_SUFFIX = "+}"
NOT_FOUND = {"error": "Not found"}
METHOD_NOT_ALLOWED = {"error": "Method not allowed"}
CATCH_ALL = "/api/{proxy+}"
REFUSES = "paperclip_refuses"  # set on views that only refuse (http/fallback.py): not in an Allow header


def not_found_response(request_id: str | None = None) -> Response:
    return Response(body=json.dumps(NOT_FOUND), status_code=404, headers=_headers(request_id))


def method_not_allowed_response(allowed: list[str], request_id: str | None = None) -> Response:
    return Response(body=json.dumps(METHOD_NOT_ALLOWED), status_code=405,
                    headers={**_headers(request_id), "Allow": ", ".join(sorted(allowed))})


def _headers(request_id: str | None) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Request-Id": request_id or str(uuid.uuid4())}


class PaperclipChalice(Chalice):
    _request_state = threading.local()

    @property  # type: ignore[override]
    def current_request(self):
        return getattr(self._request_state, "request", None)

    @current_request.setter
    def current_request(self, value) -> None:
        self._request_state.request = value

    def __call__(self, event: Any, context: Any) -> dict[str, Any]:
        """A REST API event: what no view serves is answered here, the rest by Chalice."""
        request_context = event.get("requestContext") or {}
        resource_path, request_id = request_context.get("resourcePath"), request_context.get("requestId")
        if resource_path is None or resource_path not in self.routes or GREEDY_SUFFIX in resource_path:
            return not_found_response(request_id).to_dict(self.api.binary_types)
        methods = self.routes[resource_path]
        if request_context.get("httpMethod") not in methods:
            allowed = [m for m, entry in methods.items() if m != "OPTIONS" and not getattr(entry.view_function, REFUSES, False)]
            return method_not_allowed_response(allowed, request_id).to_dict(self.api.binary_types)
        return super().__call__(event, context)


def _install_local_matcher() -> None:
    try:
        from chalice import local
    except ImportError:  # the Lambda package ships chalice's runtime only
        return
    if getattr(local.RouteMatcher, "greedy", False):
        return

    class GreedyRouteMatcher(local.RouteMatcher):
        greedy = True

        def __init__(self, route_urls: list[str]) -> None:
            super().__init__([r for r in route_urls if GREEDY_SUFFIX not in r])
            # Longest prefix first: /api/{proxy+} before /{proxy+}.
            self.greedy_routes = sorted((r for r in route_urls if GREEDY_SUFFIX in r), key=len, reverse=True)

        def match_route(self, url: str):
            try:
                return super().match_route(url)
            except ValueError:
                if not self.greedy_routes:
                    raise
            from urllib.parse import parse_qs, urlparse

            parsed = urlparse(url)
            query = parse_qs(parsed.query, keep_blank_values=True)
            for route in self.greedy_routes:
                prefix = route.rsplit("/", 1)[0] + "/"
                if parsed.path.startswith(prefix) and len(parsed.path) > len(prefix):
                    return local.MatchResult(route, {"proxy": parsed.path[len(prefix):]}, query)
            # Paths outside every greedy prefix (e.g. /favicon.ico) still get the contract's 404.
            return local.MatchResult(self.greedy_routes[-1], {"proxy": parsed.path.lstrip("/")}, query)

    local.RouteMatcher = GreedyRouteMatcher


_install_local_matcher()
