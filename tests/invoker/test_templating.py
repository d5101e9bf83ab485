"""Query templating: every placeholder filled, each value escaped for where it lands, nothing injected."""

from __future__ import annotations

import pytest
from invoker.templating import TemplateError, render_soql, render_sosl


@pytest.mark.parametrize(
    ("template", "parameters", "expected"),
    [
        (
            "SELECT Id FROM Contact WHERE Phone = '{phone}'",
            {"phone": "+81312345678"},
            "SELECT Id FROM Contact WHERE Phone = '+81312345678'",
        ),
        # every placeholder, not only the last one (the Node.js function's defect)
        (
            "SELECT Id FROM Case WHERE A = '{a}' AND B = '{b}'",
            {"a": "1", "b": "2"},
            "SELECT Id FROM Case WHERE A = '1' AND B = '2'",
        ),
        (
            "SELECT Id FROM Case WHERE A = '{a}' OR B = '{a}'",
            {"a": "x"},
            "SELECT Id FROM Case WHERE A = 'x' OR B = 'x'",
        ),
        # hostile values cannot leave the literal
        (
            "SELECT Id FROM Contact WHERE Name = '{n}'",
            {"n": "' OR Name != '"},
            "SELECT Id FROM Contact WHERE Name = '\\' OR Name != \\''",
        ),
        (
            "SELECT Id FROM Contact WHERE Name = '{n}'",
            {"n": "\\' OR 1=1"},
            "SELECT Id FROM Contact WHERE Name = '\\\\\\' OR 1=1'",
        ),
        (
            "SELECT Id FROM Contact WHERE Name = '{n}'",
            {"n": "x'); DELETE"},
            "SELECT Id FROM Contact WHERE Name = 'x\\'); DELETE'",
        ),
        (
            "SELECT Id FROM Contact WHERE Name = '{n}'",
            {"n": 'a"b\nc\td\r'},
            "SELECT Id FROM Contact WHERE Name = 'a\\\"b\\nc\\td\\r'",
        ),
        (
            "SELECT Id FROM Contact WHERE Name = '{n}'",
            {"n": "山田 太郎"},
            "SELECT Id FROM Contact WHERE Name = '山田 太郎'",
        ),
        # LIKE wildcards stay wildcards (documented)
        (
            "SELECT Id FROM Account WHERE Name LIKE '{p}%'",
            {"p": "Ac_me"},
            "SELECT Id FROM Account WHERE Name LIKE 'Ac_me%'",
        ),
        # a plain token is fine outside a literal
        ("SELECT Id FROM Case LIMIT {n}", {"n": "5"}, "SELECT Id FROM Case LIMIT 5"),
        (
            "SELECT Id FROM Case WHERE Id = {id}",
            {"id": "5003000000D8cuI"},
            "SELECT Id FROM Case WHERE Id = 5003000000D8cuI",
        ),
        # an escaped quote in the template does not end the literal
        ("SELECT Id FROM Case WHERE S = 'it\\'s {x}'", {"x": "'"}, "SELECT Id FROM Case WHERE S = 'it\\'s \\''"),
    ],
)
def test_soql_placeholders(template: str, parameters: dict[str, str], expected: str) -> None:
    assert render_soql(template, parameters) == expected


@pytest.mark.parametrize(
    ("template", "value"),
    [
        ("SELECT Id FROM Case LIMIT {n}", "1 OR Id != null"),
        ("SELECT Id FROM Case WHERE Id = {id}", "x' OR '1'='1"),
        ("SELECT Id FROM Case LIMIT {n}", ""),
        ("SELECT Id FROM Case LIMIT {n}", "5\n"),
    ],
)
def test_a_value_outside_any_literal_must_be_a_plain_token(template: str, value: str) -> None:
    name = template[template.index("{") + 1 : template.index("}")]
    with pytest.raises(TemplateError, match=rf"\{{{name}\}}.*put the placeholder in quotes"):
        render_soql(template, {name: value})


def test_soql_placeholder_without_its_parameter_is_refused() -> None:
    with pytest.raises(TemplateError, match="no parameter named phone"):
        render_soql("SELECT Id FROM Contact WHERE Phone = '{phone}'", {"methodName": "queryRecord"})


def test_unterminated_literal_is_refused() -> None:
    with pytest.raises(TemplateError, match="unterminated string literal"):
        render_soql("SELECT Id FROM Contact WHERE Name = '{n}", {"n": "x"})


@pytest.mark.parametrize(
    ("template", "parameters", "expected"),
    [
        # SOSL's own braces stay when they name no parameter
        (
            "FIND {Acme} IN NAME FIELDS RETURNING Account(Id)",
            {"methodName": "searchRecord"},
            "FIND {Acme} IN NAME FIELDS RETURNING Account(Id)",
        ),
        ("FIND {{name}} RETURNING Contact(Id)", {"name": "Yamada"}, "FIND {Yamada} RETURNING Contact(Id)"),
        # reserved characters inside FIND {...} are escaped
        ("FIND {{q}} RETURNING Contact(Id)", {"q": "a} OR {b"}, "FIND {a\\} OR \\{b} RETURNING Contact(Id)"),
        (
            "FIND {{q}} RETURNING Contact(Id)",
            {"q": "x*&|!():\"'+-~^?[]\\"},
            "FIND {x\\*\\&\\|\\!\\(\\)\\:\\\"\\'\\+\\-\\~\\^\\?\\[\\]\\\\} RETURNING Contact(Id)",
        ),
        # literals inside RETURNING ... WHERE use SOQL's escapes
        (
            "FIND {Acme} RETURNING Contact(Name WHERE Phone = '{phone}')",
            {"phone": "' OR Id != '"},
            "FIND {Acme} RETURNING Contact(Name WHERE Phone = '\\' OR Id != \\'')",
        ),
    ],
)
def test_sosl_placeholders(template: str, parameters: dict[str, str], expected: str) -> None:
    assert render_sosl(template, parameters) == expected


def test_unterminated_find_is_refused() -> None:
    with pytest.raises(TemplateError, match="unterminated FIND"):
        render_sosl("FIND {Acme RETURNING Account(Id)", {})
