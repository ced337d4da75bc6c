"""Which of the shipped code one Lambda entry point can run, read from the source (no import).

A static call graph over chalicelib, at the granularity of module-level functions and classes:
- a function reaches every chalicelib function or class it names: `module.func` through an imported
  module, `func` imported by name (deferred imports inside functions count), or its own module's `func`;
- naming a class (calling it, or `Class.method`) reaches all of that class's methods, and a reached
  method reaches its class's other methods (over-approximation: `self.x()` needs no type inference).

What a reached function does with AWS is then read from its body: the names it calls (matched against
test_policy_matches_code.NEEDS) and the PynamoDB model classes it names (their tables). Calls on
objects of unknown type still count, because only the called name matters. Module-level statements are
not followed: nothing in chalicelib calls AWS at import time (cold start would pay for it).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "chalicelib"


@dataclass
class Unit:
    """One module-level function, or one class (all its methods together)."""
    module: str
    name: str
    body: ast.AST
    refs: set[str] = field(default_factory=set)  # "module:name" of other units


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(dotted: str) -> bool:
    base = ROOT / Path(*dotted.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def _aliases(tree: ast.AST) -> dict[str, str]:
    """Local name -> "module" (an imported chalicelib module) or "module:name" (an imported symbol)."""
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PACKAGE) and alias.asname:
                    found[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found[alias.asname or alias.name] = candidate if _is_module(candidate) else f"{node.module}:{alias.name}"
    return found


def _units() -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        module = _module_name(path)
        tree = ast.parse(path.read_text(), filename=str(path))
        aliases = _aliases(tree)
        local = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
        for node in tree.body:
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            unit = Unit(module, node.name, node)
            for inner in ast.walk(node):
                if isinstance(inner, ast.Name):
                    if inner.id in local:
                        unit.refs.add(f"{module}:{inner.id}")
                    elif ":" in aliases.get(inner.id, ""):
                        unit.refs.add(aliases[inner.id])
                elif isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name):
                    target = aliases.get(inner.value.id, "")
                    if target and ":" not in target:
                        unit.refs.add(f"{target}:{inner.attr}")
            units[f"{module}:{node.name}"] = unit
    return units


def reachable(entry: str) -> list[Unit]:
    """The units `entry` ("module:function") can run, itself included. Errors: KeyError for an unknown entry."""
    units = _units()
    todo, seen = [entry], set()
    units[entry]  # noqa: B018 - fail loudly on a renamed entry point
    while todo:
        key = todo.pop()
        if key in seen or key not in units:
            continue
        seen.add(key)
        todo.extend(units[key].refs)
    return [units[k] for k in sorted(seen)]


def called_names(units: list[Unit]) -> set[str]:
    names = set()
    for unit in units:
        for node in ast.walk(unit.body):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                if name:
                    names.add(name)
    return names


def named_classes(units: list[Unit], class_names: set[str]) -> set[str]:
    """Which of `class_names` (e.g. the PynamoDB models) the units mention, by name or as imported."""
    found = set()
    for unit in units:
        for node in ast.walk(unit.body):
            if isinstance(node, ast.Name) and node.id in class_names:
                found.add(node.id)
        if unit.name in class_names:
            found.add(unit.name)
    return found
