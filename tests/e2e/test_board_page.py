"""The board page's own routes (chalicelib/http/routes/board_page.py): what they serve, with which
headers, what they refuse, that they stay out of the JSON API (permission table, OpenAPI document)
and out of the API's cold start, and what the page adds to the Lambda package.
The page itself is exercised in a real browser by tests/browser/.
"""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from chalicelib.http.routes import board_page

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "chalicelib" / "web"
PAGE_BUDGET_BYTES = 1024 * 1024  # issue 12: the page adds less than 1 MB to the Lambda package


def _import_map(html: str) -> dict[str, str]:
    return json.loads(re.search(r'<script type="importmap">(.*?)</script>', html, re.S).group(1))["imports"]


def _version(name: str) -> str:
    return hashlib.sha256((WEB / name).read_bytes()).hexdigest()[:16]


@pytest.mark.parametrize("path", ["/", "/board"])
def test_the_page_is_served_at_the_root_and_under_board_with_every_module_versioned(api, path):
    response = api.get(path)
    assert response.status == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    html = response.body.decode()
    assert not re.search(r"%[A-Z_]+%", html), "a placeholder was left in the page"
    modules = sorted(p.name for p in WEB.glob("*.js"))
    assert _import_map(html) == {f"/board/{m}": f"/board/{m}?v={_version(m)}" for m in modules}
    assert f'src="/board/app.js?v={_version("app.js")}"' in html
    assert f'href="/board/style.css?v={_version("style.css")}"' in html
    assert 'data-prefix=""' in html


def test_the_page_allows_only_its_own_scripts_and_the_import_map_by_hash(api):
    response = api.get("/board")
    policy = response.headers["content-security-policy"]
    import_map = re.search(r'<script type="importmap">(.*?)</script>', response.body.decode(), re.S).group(1)
    import base64

    digest = base64.b64encode(hashlib.sha256(import_map.encode()).digest()).decode()
    assert f"script-src 'self' 'sha256-{digest}';" in policy
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    # Nothing inline but the import map: no inline script or style, no event-handler attributes.
    html = response.body.decode()
    assert len(re.findall(r"<script", html)) == 2 and "<style" not in html and not re.search(r"\son\w+=", html)


def test_a_versioned_asset_is_cached_for_good_and_an_unversioned_one_revalidates(api):
    version = _version("app.js")
    versioned = api.get(f"/board/app.js?v={version}")
    assert versioned.status == 200 and versioned.body == (WEB / "app.js").read_bytes()
    assert versioned.headers["content-type"] == "text/javascript; charset=utf-8"
    assert versioned.headers["cache-control"] == "public, max-age=31536000, immutable"
    plain = api.get("/board/app.js")
    assert plain.headers["cache-control"] == "no-cache" and plain.headers["etag"] == f'"{version}"'
    stale = api.get("/board/app.js?v=0000000000000000")  # an old page's import map: no long caching
    assert stale.status == 200 and stale.headers["cache-control"] == "no-cache"
    again = api.get("/board/app.js", headers={"If-None-Match": f'"{version}"'})
    assert again.status == 304 and again.body == b""
    css = api.get(f"/board/style.css?v={_version('style.css')}")
    assert css.status == 200 and css.headers["content-type"] == "text/css; charset=utf-8"


@pytest.mark.parametrize("name", ["nope.js", "index.html", "App.js", "app.py", "..%2Fapp.js", "%2e%2e", ".js", "app.js.map"])
def test_anything_but_a_file_of_the_page_is_not_found(api, name):
    response = api.get(f"/board/{name}")
    assert response.status == 404
    assert response.json == {"error": "Not found"}


def test_the_page_routes_need_no_token_while_the_api_still_does(api, authenticated):
    assert api.get("/board").status == 200
    assert api.get("/board/api.js").status == 200
    assert api.get("/").status == 200
    assert api.get("/api/companies").status == 401


def test_the_page_routes_are_not_json_api_routes(api):
    """Outside the route wrapper: no permission action, not in the OpenAPI document (so not in the
    authorization matrix or the request-count benchmark, which are generated from it)."""
    from chalicelib.http.api import ROUTES

    assert not [r for r in ROUTES if r.path in ("/", "/board") or r.path.startswith("/board/")]
    paths = api.get("/api/openapi.json").json["paths"]
    assert all(p.startswith("/api/") for p in paths)
    assert api.get("/api/health").json["status"] == "ok"  # and the API is where it was


def test_the_catch_all_for_unknown_routes_does_not_shadow_the_page(api):
    """Unknown /api paths answer the API's 404 (when the app has its catch-all) while the page's own
    paths keep serving the page."""
    from app import app

    greedy = [path for path in app.routes if "+}" in path]
    assert api.get("/board").status == 200 and api.get("/").status == 200
    assert api.get("/board/app.js").status == 200
    if greedy:  # issue 14's catch-all is there: unknown API paths are its 404, the page is untouched
        assert api.get("/api/no-such-thing").json == {"error": "Not found"}
        assert api.get("/api/no/such/thing").status == 404


@pytest.mark.parametrize("full_path, route_path, prefix", [
    ("/board", "/board", ""),  # chalice local and the tests: no stage in the path
    ("/", "/", ""),
    ("/prod/board", "/board", "/prod"),  # API Gateway: the stage comes first
    ("/prod/", "/", "/prod"),
    ("/prod", "/", "/prod"),
    ("/v1/paperclip/board", "/board", "/v1/paperclip"),  # a custom domain's base path
    ('/x"><script>/board', "/board", ""),  # nothing but path characters ever reaches the page
    ("/other", "/board", ""),
])
def test_the_page_names_its_assets_and_the_api_under_the_prefix_it_was_requested_under(full_path, route_path, prefix):
    request = SimpleNamespace(context={"path": full_path}, path=route_path)
    assert board_page._mount_prefix(request) == prefix


def test_importing_the_app_reads_no_file_of_the_page():
    """Cold start: `import app` registers the page's routes and reads none of its files."""
    probe = (
        "import sys\n"
        "opened = []\n"
        f"web = {str(WEB)!r}\n"
        "sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event in ('open', 'os.listdir', 'os.scandir')"
        " and str(args[0]).startswith(web) else None)\n"
        "import app\n"
        "from chalicelib.http.routes import board_page\n"
        "assert {'/', '/board', '/board/{asset}'} <= set(app.app.routes), sorted(app.app.routes)\n"
        "print(len(opened), len(board_page._files))\n"
    )
    env = {"PAPERCLIP_STAGE": "test", "AUTH_MODE": "local_trusted", "AWS_DEFAULT_REGION": "us-east-1", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "0"]


def test_the_page_adds_less_than_a_megabyte_and_every_module_it_imports_exists():
    files = [p for p in WEB.iterdir() if p.is_file()]
    assert sum(p.stat().st_size for p in files) < PAGE_BUDGET_BYTES
    assert {p.suffix for p in files} == {".html", ".js", ".css"}
    for module in WEB.glob("*.js"):
        source = module.read_text()
        for target in re.findall(r"""from '\./([^']+)'""", source) + re.findall(r"""import\('\./([^']+)'\)""", source):
            assert (WEB / target).is_file(), f"{module.name} imports {target}"
            assert board_page.ASSET_NAME.match(target), target
    views = re.findall(r"view: '([^']+)'", (WEB / "app.js").read_text())
    assert views and all((WEB / v).is_file() for v in views)
