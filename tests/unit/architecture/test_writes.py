"""No whole-item saves of items read earlier (issue #10).

A PutItem of a model read before (PynamoDB `save`, or a transaction's `save`) writes back every
attribute as it was read, silently undoing whatever another request changed meanwhile. Services update
what they change (UpdateItem / transaction `update`, conditioned on what the decision read); a `save`
is only for creating an item, so its condition must say the item does not exist yet (a short-lived key
may also be replaced once expired).
"""
from __future__ import annotations

import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[3] / "chalicelib" / "services"


def _saves_without_create_condition(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "save"):
            continue
        condition = next((k.value for k in node.keywords if k.arg == "condition"), None)
        target = ast.unparse(node.args[0]) if node.args else ast.unparse(node.func.value)
        if target.startswith("activity.entry("):
            continue  # a fresh append-only log entry with a new id: always a create
        if condition is None or "does_not_exist()" not in ast.unparse(condition):
            found.append(f"{path.relative_to(SERVICES.parent.parent)}:{node.lineno} save({target})")
    return found


def test_services_save_only_new_items():
    offenders = [o for path in sorted(SERVICES.rglob("*.py")) for o in _saves_without_create_condition(path)]
    assert offenders == []


def test_the_check_finds_a_whole_item_save(tmp_path, monkeypatch):
    import sys

    monkeypatch.setattr(sys.modules[__name__], "SERVICES", tmp_path / "services")
    (tmp_path / "services").mkdir()
    sample = tmp_path / "services" / "sample.py"
    sample.write_text("def f(tx, trigger):\n    tx.save(trigger, condition=RoutineTrigger.id.exists())\n"
                      "    tx.save(Routine(id='x'), condition=Routine.id.does_not_exist())\n"
                      "    key.save()\n")
    found = _saves_without_create_condition(sample)
    assert [f.split(":", 1)[1] for f in found] == ["2 save(trigger)", "4 save(key)"]
