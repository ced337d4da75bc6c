"""The layering the README promises, checked on the source: http → services → store, logic pure,
services grouped by domain with imports pointing one way between domains, and no import cycles
(function-level imports count too: a deferred import is still a dependency)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "chalicelib"
# Lower first: a service domain may import its own modules and the domains before it, never after.
DOMAIN_ORDER = ["access", "activity", "health", "org", "runtime", "issues", "routines"]
# What each layer of chalicelib may import (besides itself and the leaf modules below).
LEAVES = {"aws_session", "clock", "config", "errors", "ids", "logs", "response_size"}
ALLOWED = {
    "logic": {"logic"},
    "store": {"store"},
    "services": {"services", "store", "logic"},
    "http": {"http", "services", "store", "logic"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every chalicelib module `path` imports, anywhere in the file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("chalicelib")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("chalicelib"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                is_module = (ROOT / Path(*candidate.split("."))).with_suffix(".py").exists() or \
                    (ROOT / Path(*candidate.split("."))).is_dir()
                found.add(candidate if is_module else node.module)
    return found


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in PACKAGE.rglob("*.py")}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _domain(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "services" else None


def test_layers_import_only_downwards():
    bad = []
    for module, imports in _graph().items():
        layer = _layer(module)
        if layer not in ALLOWED:
            continue
        for target in imports:
            target_layer = _layer(target)
            if target_layer in LEAVES or target_layer == "":
                continue
            if target_layer not in ALLOWED[layer]:
                bad.append(f"{module} -> {target}")
    assert bad == []


def test_services_never_import_chalice():
    offenders = [str(p.relative_to(ROOT)) for p in (PACKAGE / "services").rglob("*.py")
                 if any(line.startswith(("import chalice", "from chalice ", "from chalice."))
                        for line in p.read_text().splitlines())]
    assert offenders == []


def test_service_domains_import_only_lower_domains():
    rank = {name: i for i, name in enumerate(DOMAIN_ORDER)}
    found_domains = {p.stem if p.is_file() else p.name for p in (PACKAGE / "services").iterdir()
                     if p.name != "__init__.py" and p.name != "__pycache__"}
    assert found_domains == set(DOMAIN_ORDER), "a new services domain must be placed in DOMAIN_ORDER"
    bad = []
    for module, imports in _graph().items():
        source = _domain(module)
        if source is None:
            continue
        for target in imports:
            target_domain = _domain(target)
            if target_domain is not None and rank[target_domain] > rank[source]:
                bad.append(f"{module} -> {target}")
    assert bad == []


def test_no_import_cycles():
    graph = _graph()
    modules = set(graph)
    cycles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in modules or target.endswith("__init__"):
                continue
            if state.get(target) == 1:
                cycles.append(" -> ".join(stack[stack.index(target):] + [target]))
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for module in sorted(modules):
        if module not in state:
            visit(module)
    assert cycles == []


def test_permission_keys_in_the_schema_match_the_table():
    from typing import get_args

    from chalicelib.http.schemas.access import PermissionKey
    from chalicelib.services.access.permissions import LEGACY_ALIASES, PERMISSIONS

    assert set(get_args(PermissionKey)) == set(PERMISSIONS) | set(LEGACY_ALIASES)


def test_the_readme_lists_every_action_of_the_permission_table():
    from chalicelib.services.access.permissions import ACTIONS

    readme = (ROOT / "README.md").read_text()
    documented = {line.split("`")[1] for line in readme.splitlines() if line.startswith("| `") and "." in line}
    assert set(ACTIONS) <= documented, sorted(set(ACTIONS) - documented)
