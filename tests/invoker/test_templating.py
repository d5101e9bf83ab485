"""Query templating: every placeholder filled, each value escaped for where it lands, nothing injected."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import pytest
from scv_invoker.templating import TemplateError, render_soql, render_sosl

CONTACT_BY_NAME = "SELECT Id FROM Contact WHERE Name = '{n}'"
Render = Callable[[str, Mapping[str, str]], str]

HOSTILE_VALUES = [
    "' OR Name != '",
    "\\' OR 1=1",
    "x'); DELETE",
    "\\",
    "a\\",
    "}",
    "} RETURNING User(Id) {",
    "{n}",
    "'\n'\r\t\b\f\"",
    "山田'太郎 😀\u2028",
    "*?~^:&|!()[]+-",
]
# a literal with its escapes, and FIND's braces with theirs, as Salesforce reads them
_LITERAL = re.compile(r"'(?:\\.|[^'\\])*'", re.DOTALL)
_SEARCH = re.compile(r"\{(?:\\.|[^{}\\])*\}", re.DOTALL)
_SOQL_UNESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


def structure(query: str) -> str:
    """The query with every literal's and FIND term's content blanked: what a value must never change."""
    return _SEARCH.sub("{}", _LITERAL.sub("''", query))


def soql_unescape(literal: str) -> str:
    return re.sub(r"\\(.)", lambda match: _SOQL_UNESCAPES.get(match[1], match[1]), literal[1:-1], flags=re.DOTALL)


def sosl_unescape(term: str) -> str:
    return re.sub(r"\\(.)", r"\1", term[1:-1], flags=re.DOTALL)


@pytest.mark.parametrize(
    ("template", "parameters", "expected"),
    [
        pytest.param(
            "SELECT Id FROM Contact WHERE Phone = '{phone}'",
            {"phone": "+81312345678"},
            "SELECT Id FROM Contact WHERE Phone = '+81312345678'",
            id="one placeholder",
        ),
        pytest.param(
            "SELECT Id FROM Case WHERE A = '{a}' AND B = '{b}' AND C = '{c}'",
            {"a": "1", "b": "2", "c": "3"},
            "SELECT Id FROM Case WHERE A = '1' AND B = '2' AND C = '3'",
            id="every placeholder, not only the last (the Node.js defect)",
        ),
        pytest.param(
            "SELECT Id FROM Case WHERE A = '{a}' OR B = '{a}' LIMIT {n}",
            {"a": "x", "n": "2"},
            "SELECT Id FROM Case WHERE A = 'x' OR B = 'x' LIMIT 2",
            id="a repeated placeholder everywhere",
        ),
        pytest.param(
            "SELECT Id FROM Contact WHERE Name = '{n}' AND Phone = '{p}'",
            {"n": "{p}", "p": "1"},
            "SELECT Id FROM Contact WHERE Name = '{p}' AND Phone = '1'",
            id="a value is never rendered again",
        ),
        pytest.param(
            "SELECT Id FROM Contact WHERE Phone = '{customer-phone}' OR MobilePhone = '{customer-phone}'",
            {"customer-phone": "+81312345678"},
            "SELECT Id FROM Contact WHERE Phone = '+81312345678' OR MobilePhone = '+81312345678'",
            id="any parameter name, as Node.js took it",
        ),
        pytest.param(
            "SELECT Id FROM Case WHERE Subject = '{\"a\": 1}' AND Id = '{id}'",
            {"id": "5003000000D8cuI"},
            "SELECT Id FROM Case WHERE Subject = '{\"a\": 1}' AND Id = '5003000000D8cuI'",
            id="braced text naming no parameter stays",
        ),
        pytest.param(
            "SELECT Id FROM Case WHERE A = '{x' AND B = 'y}'",
            {"x' AND B = 'y": "z"},
            "SELECT Id FROM Case WHERE A = '{x' AND B = 'y}'",
            id="a name never spans a quote",
        ),
        pytest.param(
            "SELECT Id FROM Contact WHERE Name = '{n}'",
            {"n": "山田 太郎 😀"},
            "SELECT Id FROM Contact WHERE Name = '山田 太郎 😀'",
            id="unicode as is",
        ),
        pytest.param(
            "SELECT Id FROM Account WHERE Name LIKE '{p}%'",
            {"p": "Ac_me%"},
            "SELECT Id FROM Account WHERE Name LIKE 'Ac_me%%'",
            id="LIKE wildcards stay wildcards (documented)",
        ),
        pytest.param("SELECT Id FROM Case LIMIT {n}", {"n": "5"}, "SELECT Id FROM Case LIMIT 5", id="LIMIT token"),
        pytest.param(
            "SELECT Id FROM Case WHERE Id = {id}",
            {"id": "5003000000D8cuI"},
            "SELECT Id FROM Case WHERE Id = 5003000000D8cuI",
            id="id token",
        ),
        pytest.param(
            "SELECT Id FROM Case WHERE Amount > {x}",
            {"x": "-1.5e+3"},
            "SELECT Id FROM Case WHERE Amount > -1.5e+3",
            id="token with _ . + -",
        ),
        pytest.param(
            "SELECT Id FROM Case WHERE S = 'it\\'s {x}'",
            {"x": "'"},
            "SELECT Id FROM Case WHERE S = 'it\\'s \\''",
            id="an escaped quote in the template does not end the literal",
        ),
        pytest.param(
            "SELECT Id FROM Case WHERE S = '\\\\' AND T = '{x}'",
            {"x": "a"},
            "SELECT Id FROM Case WHERE S = '\\\\' AND T = 'a'",
            id="an escaped backslash before the closing quote",
        ),
    ],
)
def test_soql_fills_placeholders(template: str, parameters: dict[str, str], expected: str) -> None:
    assert render_soql(template, parameters) == expected


@pytest.mark.parametrize(
    ("value", "expected_literal"),
    [
        pytest.param("' OR Name != '", "'\\' OR Name != \\''", id="quote closes literal"),
        pytest.param("\\' OR 1=1", "'\\\\\\' OR 1=1'", id="backslash before quote"),
        pytest.param("x'); DELETE", "'x\\'); DELETE'", id="statement break"),
        pytest.param('a"b', "'a\\\"b'", id="double quote"),
        pytest.param("a\nb\rc\td", "'a\\nb\\rc\\td'", id="newline, return, tab"),
        pytest.param("\b\f", "'\\b\\f'", id="backspace, form feed"),
        pytest.param("\\", "'\\\\'", id="lone backslash"),
    ],
)
def test_soql_literal_values_cannot_leave_the_literal(value: str, expected_literal: str) -> None:
    prefix = CONTACT_BY_NAME.removesuffix("'{n}'")
    rendered = render_soql(CONTACT_BY_NAME, {"n": value})
    assert rendered.startswith(prefix)
    assert rendered.removeprefix(prefix) == expected_literal


@pytest.mark.parametrize("value", HOSTILE_VALUES)
@pytest.mark.parametrize(
    ("render", "template", "unescape"),
    [
        pytest.param(render_soql, "SELECT Id FROM Contact WHERE Name = '{n}' LIMIT 1", soql_unescape, id="soql"),
        pytest.param(
            render_sosl,
            "FIND {Acme} RETURNING Contact(Id WHERE Name = '{n}')",
            soql_unescape,
            id="sosl RETURNING literal",
        ),
        pytest.param(render_sosl, "FIND {{n}} RETURNING Contact(Id)", sosl_unescape, id="sosl FIND"),
    ],
)
def test_hostile_values_keep_the_query_structure_and_arrive_intact(
    render: Render, template: str, unescape: Callable[[str], str], value: str
) -> None:
    """Whatever the value, the text outside literals and FIND terms is the template's, and the one
    literal or term that holds the value reads back as exactly that value."""
    rendered = render(template, {"n": value})
    benign = render(template, {"n": "x"})
    assert structure(rendered) == structure(benign)
    holders = [m[0] for m in (_SEARCH if unescape is sosl_unescape else _LITERAL).finditer(rendered)]
    assert unescape(holders[-1]) == value


@pytest.mark.parametrize(
    ("template", "value"),
    [
        ("SELECT Id FROM Case LIMIT {n}", "0 OR Id != null"),
        ("SELECT Id FROM Case WHERE Id = {id}", "x' OR '1'='1"),
        ("SELECT Id FROM Case LIMIT {n}", ""),
        ("SELECT Id FROM Case LIMIT {n}", "5\n"),
        ("SELECT Id FROM Case WHERE Id = {id}", "x)"),
        ("SELECT Id FROM Case WHERE Name = {id}", "山田"),
    ],
)
def test_a_value_outside_any_literal_must_be_a_plain_token(template: str, value: str) -> None:
    name = template[template.index("{") + 1 : template.index("}")]
    message = rf"\{{{name}\}} is outside any quoted literal.*put the placeholder in quotes"
    with pytest.raises(TemplateError, match=message):
        render_soql(template, {name: value})


def test_template_error_is_a_value_error() -> None:
    assert issubclass(TemplateError, ValueError)


def test_soql_placeholder_without_its_parameter_is_refused() -> None:
    """SOQL has no braces of its own: a forgotten parameter fails instead of querying for '{phone}'."""
    with pytest.raises(TemplateError, match="no parameter named phone"):
        render_soql("SELECT Id FROM Contact WHERE Phone = '{phone}'", {"methodName": "queryRecord"})


@pytest.mark.parametrize(
    "template",
    [
        pytest.param("SELECT Id FROM Contact WHERE Name = '{n}", id="soql"),
        pytest.param("SELECT Id FROM Contact WHERE Name = 'x\\'", id="soql, closing quote escaped"),
    ],
)
def test_unterminated_literal_is_refused(template: str) -> None:
    with pytest.raises(TemplateError, match="unterminated string literal.*close it"):
        render_soql(template, {"n": "x"})


@pytest.mark.parametrize(
    ("template", "parameters", "expected"),
    [
        pytest.param(
            "FIND {Acme} IN NAME FIELDS RETURNING Account(Id)",
            {"methodName": "searchRecord"},
            "FIND {Acme} IN NAME FIELDS RETURNING Account(Id)",
            id="braces naming no parameter are SOSL's own",
        ),
        pytest.param(
            "FIND {Acme {Corp}} RETURNING Account(Id)",
            {},
            "FIND {Acme {Corp}} RETURNING Account(Id)",
            id="unknown nested braces untouched",
        ),
        pytest.param(
            "FIND {{name}} RETURNING Contact(Id)",
            {"name": "Yamada"},
            "FIND {Yamada} RETURNING Contact(Id)",
            id="placeholder as the search term",
        ),
        pytest.param(
            "FIND {{a} OR {b} OR {a}} RETURNING Contact(Id)",
            {"a": "x", "b": "y"},
            "FIND {x OR y OR x} RETURNING Contact(Id)",
            id="every and repeated placeholder in FIND",
        ),
        pytest.param(
            "FIND {{q}} RETURNING Contact(Id)",
            {"q": "a} RETURNING User(Id) {b"},
            "FIND {a\\} RETURNING User\\(Id\\) \\{b} RETURNING Contact(Id)",
            id="a closing brace cannot leave FIND",
        ),
        pytest.param(
            "FIND {{q}} RETURNING Contact(Id)",
            {"q": "x*&|!():\"'+-~^?[]\\{}"},
            "FIND {x\\*\\&\\|\\!\\(\\)\\:\\\"\\'\\+\\-\\~\\^\\?\\[\\]\\\\\\{\\}} RETURNING Contact(Id)",
            id="every reserved character escaped",
        ),
        pytest.param(
            "FIND {{q}} RETURNING Contact(Id)",
            {"q": "山田\n太郎"},
            "FIND {山田\n太郎} RETURNING Contact(Id)",
            id="unicode and newline are not reserved",
        ),
        pytest.param(
            "FIND {\\{{q}\\}} RETURNING Contact(Id)",
            {"q": "x"},
            "FIND {\\{x\\}} RETURNING Contact(Id)",
            id="escaped braces in FIND do not nest",
        ),
        pytest.param(
            "FIND {Acme} RETURNING Contact(Name WHERE Phone = '{phone}')",
            {"phone": "' OR Id != '"},
            "FIND {Acme} RETURNING Contact(Name WHERE Phone = '\\' OR Id != \\'')",
            id="RETURNING WHERE literal uses SOQL escapes",
        ),
        pytest.param(
            "FIND {Acme} RETURNING Contact(Name WHERE Note = '{x} {y}')",
            {"x": "}"},
            "FIND {Acme} RETURNING Contact(Name WHERE Note = '} {y}')",
            id="braces inside a literal are text",
        ),
        pytest.param(
            "FIND {{q}} RETURNING Contact(Id) LIMIT {n}",
            {"q": "x", "n": "10"},
            "FIND {x} RETURNING Contact(Id) LIMIT 10",
            id="token outside FIND",
        ),
    ],
)
def test_sosl_fills_placeholders(template: str, parameters: dict[str, str], expected: str) -> None:
    assert render_sosl(template, parameters) == expected


@pytest.mark.parametrize(
    "template",
    [
        pytest.param("FIND {q} RETURNING Contact(Id)", id="FIND {q}"),
        pytest.param("find  {q} IN NAME FIELDS", id="lower case, more spaces"),
    ],
)
def test_sosl_placeholder_as_finds_braces_is_refused(template: str) -> None:
    """``FIND {q}`` would send ``FIND Yamada``, which Salesforce rejects: say to write ``FIND {{q}}``."""
    with pytest.raises(TemplateError, match=r"\{q\} follows FIND.*write FIND \{\{q\}\}"):
        render_sosl(template, {"q": "Yamada"})


def test_sosl_value_outside_find_and_literals_must_be_a_plain_token() -> None:
    with pytest.raises(TemplateError, match=r"\{n\} is outside any quoted literal.*'\{n\}'"):
        render_sosl("FIND {x} RETURNING Contact(Id) LIMIT {n}", {"n": "1) RETURNING User(Id"})


@pytest.mark.parametrize(
    ("template", "message"),
    [
        pytest.param("FIND {Acme RETURNING Account(Id)", "unterminated FIND", id="open FIND"),
        pytest.param("FIND {Acme\\} RETURNING Account(Id)", "unterminated FIND", id="closing brace escaped"),
        pytest.param("FIND {Acme} RETURNING Contact(Id WHERE Name = 'x)", "unterminated string literal", id="quote"),
    ],
)
def test_unterminated_sosl_is_refused(template: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        render_sosl(template, {})


# ---------------------------------------------------------------------------------------------- Salesforce's limit

#: the namespace render_soql runs in (other tests re-import the invoker's modules; this is the one imported above)
TEMPLATING = render_soql.__globals__
MAX_STATEMENT_CHARACTERS = TEMPLATING["MAX_STATEMENT_CHARACTERS"]


def test_a_statement_of_exactly_the_limit_is_filled_and_one_more_character_is_refused() -> None:
    room = MAX_STATEMENT_CHARACTERS - len(CONTACT_BY_NAME) + len("{n}")
    assert len(render_soql(CONTACT_BY_NAME, {"n": "x" * room})) == MAX_STATEMENT_CHARACTERS
    with pytest.raises(TEMPLATING["StatementTooLongError"], match="100,000 characters with {n}"):
        render_soql(CONTACT_BY_NAME, {"n": "x" * (room + 1)})
    with pytest.raises(TEMPLATING["StatementTooLongError"], match="100,000 characters with {n}"):
        render_soql(CONTACT_BY_NAME, {"n": "'" * (room // 2 + 1)})  # each quote doubles once escaped


def test_escaping_stops_at_the_limit_so_its_work_stays_linear(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counted, not timed: a value that cannot fit is never escaped, and many copies of a placeholder
    stop being escaped once the statement is full."""
    escaped: list[int] = []
    real_escape = TEMPLATING["_escape"]
    monkeypatch.setitem(TEMPLATING, "_escape", lambda n, v, c: escaped.append(len(v)) or real_escape(n, v, c))
    with pytest.raises(TemplateError):
        render_soql(CONTACT_BY_NAME, {"n": "'" * 1_000_000})
    assert escaped == []
    with pytest.raises(TemplateError, match="100,000 characters"):
        many = "SELECT Id FROM Contact WHERE " + " OR ".join(["Name = '{n}'"] * 5_000)  # noqa: S608
        render_soql(many, {"n": "'" * 40})
    assert 0 < sum(escaped) <= MAX_STATEMENT_CHARACTERS


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        pytest.param("SELECT Id FROM Case WHERE Subject = '{{draft}}'", "SELECT Id FROM Case WHERE Subject = '{draft}'",
                     id="in a literal"),
        pytest.param("SELECT Id FROM Case WHERE Subject = '{{n}} for {n}'",
                     "SELECT Id FROM Case WHERE Subject = '{n} for Ada'", id="next to the placeholder it looks like"),
        pytest.param("SELECT Id FROM Case WHERE Subject = '{{not-a-parameter}}'",
                     "SELECT Id FROM Case WHERE Subject = '{not-a-parameter}'", id="any name"),
    ],
)  # fmt: skip
def test_doubled_braces_write_a_literal_word_in_soql(template: str, expected: str) -> None:
    """``{{word}}`` is the text ``{word}``: never filled, never refused as a forgotten parameter."""
    assert render_soql(template, {"n": "Ada", "draft": "ignored"}) == expected


def test_doubled_braces_keep_their_search_meaning_in_sosl() -> None:
    assert render_sosl("FIND {{q}} RETURNING Contact(Id)", {"q": "a-b"}) == "FIND {a\\-b} RETURNING Contact(Id)"


def test_a_template_met_again_with_other_parameter_names_is_read_for_those_names() -> None:
    """A container reads each template once per set of parameter names: braces that named no parameter on one
    call are filled on a call that passes it, and stay braces again on the next call without it."""
    template = "FIND {Acme} RETURNING Account(Id WHERE Name = '{n}')"
    assert render_sosl(template, {"sosl": template}) == template
    filled = render_sosl(template, {"sosl": template, "n": "O'Neil"})
    assert filled == "FIND {Acme} RETURNING Account(Id WHERE Name = 'O\\'Neil')"
    assert render_sosl(template, {"sosl": template}) == template
    with pytest.raises(TemplateError, match="no parameter named phone"):
        render_soql("SELECT Id FROM Contact WHERE Phone = {phone}", {})
    assert render_soql("SELECT Id FROM Contact WHERE Phone = {phone}", {"phone": "0312"}).endswith("= 0312")
