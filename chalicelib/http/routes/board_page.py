"""The board web page (issue 12): static files under `/` and `/board/…`, outside the JSON API.

Routes (all GET, no principal, no permission action):
- `/` and `/board`: the page (`chalicelib/web/index.html`) with an import map naming every module's
  current version, `Cache-Control: no-cache`.
- `/board/{asset}`: one file of `chalicelib/web/` named `[a-z0-9-]+.(js|css)` (Chalice path parameters
  cannot hold slashes, so the folder is flat and the page routes itself by the URL's hash). With the
  `?v=` the import map gives (a prefix of the file's SHA-256), it is cached for a year (`immutable`);
  otherwise `no-cache` with an ETag. Unknown names are 404 `{"error": "Not found"}`.

Why outside the route wrapper and the permission table (chalicelib/http/api.py,
services/access/permissions.py): these routes serve the same public files to everyone and read no
data. Everything the page shows comes from the public `/api` routes, called by the browser with the
signed-in board token (or none under `local_trusted`), so the same authorization applies as for curl;
there is no private endpoint. On a deployed stage (`AUTH_MODE=authenticated`) the page loads without a
token and asks for one.

Cold start: importing this module registers three routes and nothing else. The files are read on the
first request that needs them and kept for the life of the process (they are part of the deployed code
and never change under it). tests/e2e/test_board_page.py checks that `import app` opens none of them.

The page lives under a stage prefix on API Gateway (`https://…/prod/board`), so the HTML names its
assets and the API with the prefix the request arrived under (see `_mount_prefix`).
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from chalice import Blueprint, Response

bp = Blueprint(__name__)

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
ASSET_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*\.(js|css)$")
CONTENT_TYPES = {"js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"}
VERSION_CHARS = 16  # hex digits of the SHA-256 in `?v=`: enough that two versions never collide
YEAR_SEC = 365 * 24 * 3600
_PREFIX_CHARS = re.compile(r"^(/[A-Za-z0-9._~-]+)*$")


@dataclass(frozen=True)
class _File:
    body: str
    version: str  # VERSION_CHARS hex digits of the SHA-256 of the bytes


_files: dict[str, _File] = {}  # name -> file, filled on demand (index.html and the assets)


def _read(name: str) -> _File:
    if name not in _files:
        data = (WEB_DIR / name).read_bytes()
        _files[name] = _File(data.decode("utf-8"), hashlib.sha256(data).hexdigest()[:VERSION_CHARS])
    return _files[name]


def _asset(name: str) -> _File | None:
    """A .js or .css file of the page, or None. Names are checked before any cache lookup or read, and
    unknown names are not cached (a flood of random names must not grow the cache)."""
    if not ASSET_NAME.match(name) or not (name in _files or (WEB_DIR / name).is_file()):
        return None
    return _read(name)


_modules: list[str] = []  # the .js files, listed on the first page request


def _module_names() -> list[str]:
    if not _modules:
        _modules.extend(sorted(p.name for p in WEB_DIR.iterdir() if ASSET_NAME.match(p.name) and p.suffix == ".js"))
    return _modules


def _security_headers(script_hashes: tuple[str, ...] = ()) -> dict[str, str]:
    """What the page may do: its own scripts and styles, calls to its own origin, images from the API
    (attachments as blob: URLs) and nothing framed. No inline script but the import map (by hash)."""
    scripts = " ".join(["'self'", *(f"'sha256-{h}'" for h in script_hashes)])
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; script-src {scripts}; style-src 'self'; img-src 'self' data: blob:; "
            "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }


def _mount_prefix(request) -> str:
    """The path the app is mounted under: "" locally, "/prod" behind API Gateway's prod stage.

    API Gateway's requestContext.path is the full path the browser asked for (stage included) while
    Chalice's request.path is the route template; the difference is the prefix. Anything unexpected
    gives "" (the page then assumes it is mounted at the root)."""
    context = getattr(request, "context", None) or {}
    full = str(context.get("path") or "").rstrip("/")
    route_path = str(getattr(request, "path", "") or "").rstrip("/")
    if not full.endswith(route_path):
        return ""
    prefix = full[: len(full) - len(route_path)] if route_path else full
    return prefix if _PREFIX_CHARS.match(prefix) else ""


def _page(request) -> Response:
    page = _read("index.html")
    prefix = _mount_prefix(request)
    base = f"{prefix}/board/"
    imports = {}
    for name in _module_names():
        asset = _asset(name)
        if asset is not None:
            imports[base + name] = f"{base}{name}?v={asset.version}"
    import_map = json.dumps({"imports": imports}, separators=(",", ":"), sort_keys=True)
    script_hash = base64.b64encode(hashlib.sha256(import_map.encode()).digest()).decode()
    app_js, style = _asset("app.js"), _asset("style.css")
    html = (page.body
            .replace("%PREFIX%", prefix)
            .replace("%IMPORT_MAP%", import_map)
            .replace("%APP_JS%", f"{base}app.js?v={app_js.version if app_js else ''}")
            .replace("%STYLE_CSS%", f"{base}style.css?v={style.version if style else ''}"))
    headers = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache",
               **_security_headers((script_hash,))}
    return Response(body=html, status_code=200, headers=headers)


def _not_found() -> Response:
    return Response(body=json.dumps({"error": "Not found"}), status_code=404,
                    headers={"Content-Type": "application/json", **_security_headers()})


@bp.route("/", methods=["GET"])
def board_root() -> Response:
    return _page(bp.current_request)


@bp.route("/board", methods=["GET"])
def board_page() -> Response:
    return _page(bp.current_request)


@bp.route("/board/{asset}", methods=["GET"])
def board_asset(asset: str) -> Response:
    request = bp.current_request
    found = _asset(asset)
    if found is None:
        return _not_found()
    etag = f'"{found.version}"'
    versioned = (request.query_params or {}).get("v") == found.version
    headers = {
        "Content-Type": CONTENT_TYPES[asset.rsplit(".", 1)[1]],
        "Cache-Control": f"public, max-age={YEAR_SEC}, immutable" if versioned else "no-cache",
        "ETag": etag,
        **_security_headers(),
    }
    if (request.headers or {}).get("if-none-match") == etag:
        return Response(body="", status_code=304, headers=headers)
    return Response(body=found.body, status_code=200, headers=headers)
