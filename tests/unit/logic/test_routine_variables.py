"""Routine template variables (SPEC §5)."""
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.logic.routine_variables import (
    MissingVariablesError,
    UnknownVariablesError,
    VariableDeclarationError,
    VariableValueError,
    builtin_values,
    check_placeholders_declared,
    find_placeholders,
    format_value,
    has_unresolvable_required,
    interpolate,
    resolve,
    validate_declarations,
)

NOW = datetime(2026, 4, 15, 9, 5, 7, 123456, tzinfo=timezone.utc)


def decls(*items):
    return validate_declarations(list(items))


# --------------------------------------------------------------------------- declarations

def test_defaults_filled_and_shape():
    assert validate_declarations([{"name": "company_name"}]) == [{
        "name": "company_name", "label": None, "type": "text", "required": True,
        "defaultValue": None, "options": None}]
    assert validate_declarations(None) == []
    assert validate_declarations([]) == []


def test_seed_example():
    assert validate_declarations([{"name": "company_name", "label": "Company name", "type": "text",
                                   "required": True, "defaultValue": "Paperclip"}]) == [{
        "name": "company_name", "label": "Company name", "type": "text", "required": True,
        "defaultValue": "Paperclip", "options": None}]


def test_all_types():
    result = decls(
        {"name": "a", "type": "text", "defaultValue": 5},
        {"name": "b", "type": "textarea", "defaultValue": "line1\nline2"},
        {"name": "c", "type": "number", "defaultValue": "2.50"},
        {"name": "d", "type": "number", "defaultValue": 3.0},
        {"name": "e", "type": "boolean", "defaultValue": "TRUE"},
        {"name": "f", "type": "select", "options": ["low", "high"], "defaultValue": "high",
         "required": False},
        {"name": "g", "type": "boolean", "defaultValue": False},
        {"name": "h", "type": "number", "defaultValue": 0},
    )
    assert [d["defaultValue"] for d in result] == ["5", "line1\nline2", 2.5, 3, True, "high", False, 0]
    assert result[5]["options"] == ["low", "high"]
    assert result[5]["required"] is False
    assert isinstance(result[3]["defaultValue"], int)


def test_blank_default_is_no_default():
    assert decls({"name": "a", "defaultValue": "  "})[0]["defaultValue"] is None
    assert decls({"name": "a", "type": "number", "defaultValue": ""})[0]["defaultValue"] is None
    assert decls({"name": "a", "type": "text", "options": []})[0]["options"] is None


def test_null_type_and_required_mean_defaults():
    assert decls({"name": "a", "type": None, "required": None})[0] == {
        "name": "a", "label": None, "type": "text", "required": True, "defaultValue": None,
        "options": None}


@pytest.mark.parametrize("items, field, fragment", [
    ("nope", "variables", "must be an array"),
    ({"name": "a"}, "variables", "must be an array"),
    (["a"], "variables[0]", "must be an object"),
    ([{"name": "a"}, None], "variables[1]", "must be an object"),
    ([{}], "variables[0].name", "must match"),
    ([{"name": ""}], "variables[0].name", "must match"),
    ([{"name": "1abc"}], "variables[0].name", "must match"),
    ([{"name": "_abc"}], "variables[0].name", "must match"),
    ([{"name": "a-b"}], "variables[0].name", "must match"),
    ([{"name": "a b"}], "variables[0].name", "must match"),
    ([{"name": "caf\u00e9"}], "variables[0].name", "must match"),
    ([{"name": "a\n"}], "variables[0].name", "must match"),
    ([{"name": 5}], "variables[0].name", "must match"),
    ([{"name": "a" * 65}], "variables[0].name", "at most 64"),
    ([{"name": "date"}], "variables[0].name", "built-in"),
    ([{"name": "timestamp"}], "variables[0].name", "built-in"),
    ([{"name": "a"}, {"name": "b"}, {"name": "a"}], "variables[2].name", 'duplicate variable name "a"'),
    ([{"name": "a", "kind": "text"}], "variables[0].kind", "unknown field"),
    ([{"name": "a", "label": 5}], "variables[0].label", "must be a string"),
    ([{"name": "a", "label": "x" * 201}], "variables[0].label", "at most 200"),
    ([{"name": "a", "type": "date"}], "variables[0].type", "must be one of"),
    ([{"name": "a", "type": "Text"}], "variables[0].type", "must be one of"),
    ([{"name": "a", "required": "yes"}], "variables[0].required", "must be a boolean"),
    ([{"name": "a", "required": 1}], "variables[0].required", "must be a boolean"),
    ([{"name": "a", "type": "select", "defaultValue": "x"}], "variables[0].options", "1 to 50"),
    ([{"name": "a", "type": "select", "options": [], "defaultValue": "x"}], "variables[0].options", "1 to 50"),
    ([{"name": "a", "type": "select", "options": "x", "defaultValue": "x"}], "variables[0].options", "1 to 50"),
    ([{"name": "a", "type": "select", "options": [str(i) for i in range(51)], "defaultValue": "1"}],
     "variables[0].options", "1 to 50"),
    ([{"name": "a", "type": "select", "options": ["x", 1], "defaultValue": "x"}], "variables[0].options[1]", "non-empty string"),
    ([{"name": "a", "type": "select", "options": ["x", " "], "defaultValue": "x"}], "variables[0].options[1]", "non-empty string"),
    ([{"name": "a", "type": "select", "options": ["x", "x"], "defaultValue": "x"}], "variables[0].options", "unique"),
    ([{"name": "a", "type": "select", "options": ["x", "y"]}], "variables[0].defaultValue", "need a default"),
    ([{"name": "a", "type": "select", "options": ["x", "y"], "defaultValue": "z"}], "variables[0].defaultValue", "must match one of: x, y"),
    ([{"name": "a", "type": "select", "options": ["x", "y"], "defaultValue": "X"}], "variables[0].defaultValue", "must match one of"),
    ([{"name": "a", "type": "text", "options": ["x"]}], "variables[0].options", "only select"),
    ([{"name": "a", "type": "number", "defaultValue": "ten"}], "variables[0].defaultValue", "must be a number"),
    ([{"name": "a", "type": "number", "defaultValue": True}], "variables[0].defaultValue", "must be a number"),
    ([{"name": "a", "type": "boolean", "defaultValue": "maybe"}], "variables[0].defaultValue", "must be a boolean"),
    ([{"name": "a", "type": "boolean", "defaultValue": 2}], "variables[0].defaultValue", "must be a boolean"),
    ([{"name": "a", "type": "text", "defaultValue": ["x"]}], "variables[0].defaultValue", "must be a string"),
    ([{"name": "a", "type": "text", "defaultValue": {"x": 1}}], "variables[0].defaultValue", "must be a string"),
    ([{"name": "a", "type": "text", "defaultValue": "x" * 10_001}], "variables[0].defaultValue", "at most"),
    ([{"name": f"v{i}"} for i in range(101)], "variables", "at most 100"),
])
def test_invalid_declarations(items, field, fragment):
    with pytest.raises(VariableDeclarationError) as err:
        validate_declarations(items)
    assert err.value.field == field
    assert fragment in err.value.message
    assert str(err.value).startswith(field)


def test_select_with_fifty_options_ok():
    options = [f"o{i}" for i in range(50)]
    assert decls({"name": "a", "type": "select", "options": options, "defaultValue": "o49"})[0]["options"] == options


# --------------------------------------------------------------------------- placeholders

def test_find_placeholders():
    text = "Report for {{company_name}} on {{ date }} ({{  region\t}}), again {{company_name}}"
    assert find_placeholders(text) == ["company_name", "date", "region"]
    assert find_placeholders(None) == []
    assert find_placeholders("") == []
    assert find_placeholders("{{ 1x }} {{a b}} {{}} {x} {{ a-b }} {{{y}}}") == ["y"]
    assert find_placeholders("{{a}}{{b}}") == ["a", "b"]


def test_check_placeholders_declared():
    d = decls({"name": "company_name"}, {"name": "region", "required": False})
    check_placeholders_declared(["Weekly {{company_name}} {{date}}", "{{ region }} {{timestamp}}", None], d)
    check_placeholders_declared("{{company_name}}", d)
    check_placeholders_declared(["no placeholders"], [])
    with pytest.raises(UnknownVariablesError) as err:
        check_placeholders_declared(["{{zeta}} {{company_name}} {{alpha}}", "{{ zeta }} {{beta}}"], d)
    assert err.value.names == ["zeta", "alpha", "beta"]
    assert str(err.value) == "Unknown routine variables: zeta, alpha, beta"


def test_placeholder_names_are_case_sensitive():
    with pytest.raises(UnknownVariablesError) as err:
        check_placeholders_declared(["{{Company_Name}} {{DATE}}"], decls({"name": "company_name"}))
    assert err.value.names == ["Company_Name", "DATE"]


def test_has_unresolvable_required():
    assert has_unresolvable_required([]) is False
    assert has_unresolvable_required(decls({"name": "a", "defaultValue": "x"})) is False
    assert has_unresolvable_required(decls({"name": "a", "required": False})) is False
    assert has_unresolvable_required(decls({"name": "a"})) is True
    assert has_unresolvable_required(decls({"name": "a", "defaultValue": " "})) is True
    assert has_unresolvable_required(decls({"name": "a", "defaultValue": "x"}, {"name": "b", "type": "number"})) is True
    assert has_unresolvable_required(decls({"name": "a", "type": "boolean", "defaultValue": False})) is False
    assert has_unresolvable_required(decls({"name": "a", "type": "number", "defaultValue": 0})) is False
    assert has_unresolvable_required(decls({"name": "a", "type": "select", "options": ["x"], "defaultValue": "x"})) is False
    assert has_unresolvable_required([{"name": "raw"}]) is True  # un-normalised: required by default


# --------------------------------------------------------------------------- resolve

TYPED = decls(
    {"name": "who", "defaultValue": "Paperclip"},
    {"name": "count", "type": "number", "required": False},
    {"name": "urgent", "type": "boolean", "defaultValue": False},
    {"name": "level", "type": "select", "options": ["low", "high", "1"], "defaultValue": "low"},
    {"name": "notes", "type": "textarea", "required": False},
)


def test_defaults_only():
    assert resolve(TYPED, None, None, None, NOW) == {
        "who": "Paperclip", "count": None, "urgent": False, "level": "low", "notes": None}


def test_precedence_lowest_to_highest():
    d = decls({"name": "v", "defaultValue": "default"})
    assert resolve(d, None, None, {"v": "top"}, NOW) == {"v": "top"}
    assert resolve(d, {"v": "payload"}, None, {"v": "top"}, NOW) == {"v": "payload"}
    assert resolve(d, {"v": "payload"}, {"v": "body"}, {"v": "top"}, NOW) == {"v": "body"}
    assert resolve(d, None, {"v": "body"}, {"v": "top"}, NOW) == {"v": "body"}
    # None does not override: it falls through to the next lower source.
    assert resolve(d, {"v": "payload"}, {"v": None}, {"v": "top"}, NOW) == {"v": "payload"}
    assert resolve(d, {"v": None}, {}, {"v": None}, NOW) == {"v": "default"}


def test_only_declared_names_are_read():
    d = decls({"name": "event", "required": False})
    assert resolve(d, {"other": 1}, {"extra": "x"}, {"event": "invoice.paid", "amount": 5}, NOW) == {
        "event": "invoice.paid"}


def test_webhook_variables_key_is_not_a_variable_value():
    d = decls({"name": "variables", "required": False}, {"name": "x", "required": False})
    # The caller passes payload["variables"] as payload_variables and the payload as top level.
    payload = {"variables": {"x": "nested"}, "x": "top"}
    assert resolve(d, payload["variables"], None, payload, NOW) == {"variables": None, "x": "nested"}


def test_non_object_payload_sources_are_ignored():
    d = decls({"name": "v", "defaultValue": "default"})
    assert resolve(d, ["v"], None, "v", NOW) == {"v": "default"}
    with pytest.raises(TypeError):
        resolve(d, None, ["v"], None, NOW)


@pytest.mark.parametrize("kind, given, expected", [
    ("number", 5, 5), ("number", 2.5, 2.5), ("number", 4.0, 4), ("number", "42", 42),
    ("number", " -7 ", -7), ("number", "+3", 3), ("number", "3.25", 3.25), ("number", "1e3", 1000),
    ("number", ".5", 0.5), ("number", "2.", 2), ("number", 10**20, 10**20), ("number", 0, 0),
    ("boolean", True, True), ("boolean", False, False), ("boolean", "true", True),
    ("boolean", "FALSE", False), ("boolean", " True ", True), ("boolean", 1, True), ("boolean", 0, False),
    ("boolean", "1", True), ("boolean", "0", False), ("boolean", 1.0, True),
    ("text", "hello", "hello"), ("text", 5, "5"), ("text", 2.5, "2.5"), ("text", 3.0, "3"),
    ("text", True, "true"), ("textarea", "a\nb", "a\nb"), ("text", " padded ", " padded "),
    ("select", "high", "high"), ("select", 1, "1"),
])
def test_coercion(kind, given, expected):
    extra = {"options": ["low", "high", "1"], "defaultValue": "low"} if kind == "select" else {}
    d = decls({"name": "v", "type": kind, **extra})
    value = resolve(d, None, {"v": given}, None, NOW)["v"]
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize("kind, given, message", [
    ("number", "ten", 'Variable "v" must be a number'),
    ("number", True, 'Variable "v" must be a number'),
    ("number", "0x10", 'Variable "v" must be a number'),
    ("number", "1_000", 'Variable "v" must be a number'),
    ("number", "nan", 'Variable "v" must be a number'),
    ("number", "inf", 'Variable "v" must be a number'),
    ("number", "1e999", 'Variable "v" must be a number'),
    ("number", float("nan"), 'Variable "v" must be a number'),
    ("number", float("inf"), 'Variable "v" must be a number'),
    ("number", "9" * 5000, 'Variable "v" must be a number'),
    ("number", [1], 'Variable "v" must be a number'),
    ("number", "\u0663", 'Variable "v" must be a number'),
    ("boolean", "yes", 'Variable "v" must be a boolean'),
    ("boolean", 2, 'Variable "v" must be a boolean'),
    ("boolean", "t", 'Variable "v" must be a boolean'),
    ("boolean", {}, 'Variable "v" must be a boolean'),
    ("text", ["a"], 'Variable "v" must be a string'),
    ("text", {"a": 1}, 'Variable "v" must be a string'),
    ("text", float("nan"), 'Variable "v" must be a string'),
    ("select", "medium", 'Variable "v" must match one of: low, high, 1'),
    ("select", "LOW", 'Variable "v" must match one of: low, high, 1'),
    ("select", ["low"], 'Variable "v" must be a string'),
])
def test_coercion_failures(kind, given, message):
    extra = {"options": ["low", "high", "1"], "defaultValue": "low"} if kind == "select" else {}
    d = decls({"name": "v", "type": kind, **extra})
    with pytest.raises(VariableValueError) as err:
        resolve(d, None, {"v": given}, None, NOW)
    assert str(err.value) == message
    assert err.value.name == "v"


def test_coercion_failure_from_payload_and_webhook_sources():
    d = decls({"name": "n", "type": "number", "defaultValue": 1})
    with pytest.raises(VariableValueError):
        resolve(d, {"n": "x"}, None, None, NOW)
    with pytest.raises(VariableValueError):
        resolve(d, None, None, {"n": "x"}, NOW)


def test_missing_required_message_in_declaration_order():
    d = decls({"name": "b"}, {"name": "opt", "required": False}, {"name": "a", "type": "number"},
              {"name": "c", "defaultValue": "ok"})
    with pytest.raises(MissingVariablesError) as err:
        resolve(d, None, None, None, NOW)
    assert str(err.value) == "Missing routine variables: b, a"
    assert err.value.names == ["b", "a"]


def test_blank_value_counts_as_missing_even_with_default():
    d = decls({"name": "a", "defaultValue": "fallback"})
    with pytest.raises(MissingVariablesError) as err:
        resolve(d, None, {"a": "   "}, None, NOW)
    assert str(err.value) == "Missing routine variables: a"
    assert resolve(decls({"name": "a", "required": False, "defaultValue": "x"}), None, {"a": ""}, None, NOW) == {"a": None}


def test_invalid_value_reported_before_missing():
    d = decls({"name": "a"}, {"name": "n", "type": "number"})
    with pytest.raises(VariableValueError):
        resolve(d, None, {"n": "x"}, None, NOW)


def test_single_missing():
    with pytest.raises(MissingVariablesError) as err:
        resolve(decls({"name": "only"}), {}, {}, {}, NOW)
    assert str(err.value) == "Missing routine variables: only"


# --------------------------------------------------------------------------- interpolation

def test_builtins():
    assert builtin_values(NOW) == {"date": "2026-04-15", "timestamp": "2026-04-15T09:05:07.123Z"}
    amsterdam = NOW.astimezone(timezone(timedelta(hours=2))).replace(hour=1)  # 23:05 UTC the day before
    assert builtin_values(amsterdam) == {"date": "2026-04-14", "timestamp": "2026-04-14T23:05:07.123Z"}
    assert builtin_values(datetime(2026, 1, 2, tzinfo=timezone.utc))["timestamp"] == "2026-01-02T00:00:00.000Z"
    with pytest.raises(ValueError):
        builtin_values(datetime(2026, 1, 2))


def test_interpolate():
    values = resolve(TYPED, None, {"count": 3.0, "urgent": "true", "level": "high"}, None, NOW)
    text = "{{who}}: {{ count }} items, urgent={{urgent}}, level={{ level }}, notes=[{{notes}}] on {{date}} at {{ timestamp }}"
    assert interpolate(text, values, NOW) == (
        "Paperclip: 3 items, urgent=true, level=high, notes=[] on 2026-04-15 at 2026-04-15T09:05:07.123Z")


def test_interpolate_is_single_pass_and_leaves_unknown_placeholders():
    values = {"a": "{{b}}", "b": "B"}
    assert interpolate("{{a}} {{b}} {{c}} {{ 1x }}", values, NOW) == "{{b}} B {{c}} {{ 1x }}"
    assert interpolate(None, values, NOW) is None
    assert interpolate("", values, NOW) == ""
    assert interpolate("no placeholders", {}, NOW) == "no placeholders"


def test_interpolate_special_characters_are_literal():
    assert interpolate("x={{v}}", {"v": r"\1 \g<0> $1"}, NOW) == r"x=\1 \g<0> $1"


@pytest.mark.parametrize("value, text", [
    (None, ""), (True, "true"), (False, "false"), (5, "5"), (5.0, "5"), (-0.0, "0"), (2.5, "2.5"),
    (10**20, "100000000000000000000"), ("s", "s"), (0.1, "0.1"),
])
def test_format_value(value, text):
    assert format_value(value) == text
