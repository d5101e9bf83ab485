"""Query templating without injection: ``{name}`` placeholders in SOQL/SOSL filled from the parameters.

Salesforce's Node.js function replaced only the last parameter's placeholder and pasted values raw, so
a caller's input could end a string literal and add conditions. Here every placeholder that names a
parameter is replaced, as often as it appears, and each value is escaped for where it lands. A small
scanner walks the template and knows whether it is inside a single-quoted literal (where a backslash
escapes the next character) or inside SOSL's ``FIND {...}`` braces:

- inside a single-quoted string literal (SOQL, and SOSL's ``RETURNING ... WHERE``): SOQL's escape sequences
  (``\\\\`` ``\\'`` ``\\"`` ``\\n`` ``\\r`` ``\\t`` ``\\b`` ``\\f``). ``%`` and ``_`` are wildcards only in a
  LIKE pattern; they are left as they are, so a LIKE template can take a pattern from a parameter on
  purpose (a template that must match them literally cannot, which no Node.js flow could either).
- inside SOSL's ``FIND {...}`` braces: a backslash before each SOSL reserved character
  (``? & | ! { } [ ] ( ) ^ ~ * : \\ " ' + -``), so a value cannot close the braces, add wildcards, phrases
  or groups. Words stay words: a value ``a OR b`` searches for either, as it would typed into the search box.
- anywhere else (``LIMIT {n}``, ``Id = {id}``): only a plain token (ASCII letters, digits, ``_ . + -``,
  non-empty) is allowed; anything else is refused with a message that says to quote the placeholder. A
  SOSL ``FIND {q}`` (the placeholder as the braces themselves) is refused whatever the value, since the
  braces would be lost: the message says to write ``FIND {{q}}``.

A placeholder's name is any parameter's name without a quote or backslash, as the Node.js function
took it (``{customer-phone}`` too). In SOSL, braces that name no parameter stay as they are (SOSL's own
``FIND {Acme}`` uses them). SOQL has no braces of its own, so a ``{name}`` there (an identifier) without
its parameter is a flow that forgot to pass it: it is refused (``INVALID_TEMPLATE``, no request sent)
rather than searched for as the literal text ``{name}``. To write that text on purpose, double the braces:
``{{name}}`` in a SOQL template becomes ``{name}`` and is never filled (in SOSL ``FIND {{q}}`` keeps its
meaning: the search braces around a placeholder). Other braced text in SOQL (``'{"a": 1}'``) stays.

Field values (composite's steps, :func:`render_text`) take every placeholder's value as it is: they end up
in a JSON string, and the JSON encoder escapes whatever the value holds.
"""

import functools
import re
from collections.abc import Mapping
from enum import Enum
from typing import NamedTuple

from scv_invoker.limits import MAX_STATEMENT_CHARACTERS

_SOQL_LITERAL_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}
_SOSL_RESERVED = frozenset("?&|!{}[]()^~*:\\\"'+-")
#: the two tables above for str.translate: one call per value instead of a lookup per character
_SOQL_LITERAL_TABLE = str.maketrans(_SOQL_LITERAL_ESCAPES)
_SOSL_SEARCH_TABLE = str.maketrans({character: "\\" + character for character in _SOSL_RESERVED})
_PLAIN_TOKEN = re.compile(r"[A-Za-z0-9_.+-]+")
# a name never holds a quote or a backslash, so a placeholder cannot hide one from the scanner
_PLACEHOLDER = re.compile(r"\{([^{}'\\]+)\}")
#: what the scanner reads at each position, first match wins: SOQL's ``{{word}}`` (the text ``{word}``, never a
#: placeholder), a placeholder, a backslash with the character it escapes, a quote or brace, or a run of text
#: holding none of those (which nothing inside can open or close)
_TOKEN = re.compile(
    r"(?P<literal_braces>\{\{(?P<literal_name>[^{}'\\]+)\}\})"
    r"|(?P<placeholder>\{(?P<name>[^{}'\\]+)\})"
    r"|(?P<escape>\\.?)"
    r"|(?P<special>[{}'])"
    r"|(?P<text>[^{}'\\]+)",
    re.DOTALL,
)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # how a parameter a SOQL template forgot looks
_AFTER_FIND = re.compile(r"\bFIND\s*\Z", re.IGNORECASE)


class TemplateError(ValueError):
    """The template cannot be filled safely; the message names the placeholder and the fix."""


class StatementTooLongError(TemplateError):
    """The filled statement would pass Salesforce's statement length limit (invoker/limits.py)."""


class _Context(Enum):
    BARE = "outside any quoted literal"
    LITERAL = "inside a quoted literal"
    SEARCH = "inside FIND {...}"


def render_soql(template: str, parameters: Mapping[str, str], *, max_length: int = MAX_STATEMENT_CHARACTERS) -> str:
    """Fill a SOQL template (``'{phone}'`` inside quotes, plain tokens elsewhere)."""
    return _render(template, parameters, sosl=False, max_length=max_length)


def render_sosl(template: str, parameters: Mapping[str, str], *, max_length: int = MAX_STATEMENT_CHARACTERS) -> str:
    """Fill a SOSL template: like SOQL, plus ``{name}`` inside ``FIND {...}`` escaped for SOSL."""
    return _render(template, parameters, sosl=True, max_length=max_length)


def render_text(template: str, parameters: Mapping[str, str]) -> str:
    """Fill a field value (composite's steps): each ``{name}`` naming a parameter becomes its value as it is,
    since the value lands in a JSON string, which the JSON encoder escapes. As in SOQL, ``{identifier}`` naming
    no parameter is a forgotten parameter and is refused; other braced text stays."""

    def fill(placeholder: re.Match[str]) -> str:
        name = placeholder.group(1)
        if name in parameters:
            return parameters[name]
        if _IDENTIFIER.fullmatch(name):
            raise TemplateError(
                f"the value uses {{{name}}} but no parameter named {name} was passed: "
                "add it to the Invoke AWS Lambda function block's parameters"
            )
        return placeholder.group(0)

    return _PLACEHOLDER.sub(fill, template)


class _Hole(NamedTuple):
    """Where a parameter's value goes: its name, the context that decides its escaping, the placeholder's width."""

    name: str
    context: _Context
    width: int


def _render(template: str, parameters: Mapping[str, str], *, sosl: bool, max_length: int) -> str:
    """The template's plan (scanned once per container and set of parameter names) filled with the values; it
    stops as soon as the statement would pass ``max_length``, before escaping a value that cannot fit (escaping
    never shortens), so the work stays linear in the limit."""
    if len(template) > max_length:
        raise StatementTooLongError(_too_long(max_length, "the template itself"))
    pieces: list[str] = []
    length = len(template)  # of the statement so far, with the placeholders still in it
    for segment in _plan(template, frozenset(parameters), sosl):
        if isinstance(segment, str):
            pieces.append(segment)
            continue
        value = parameters[segment.name]
        length += len(value) - segment.width
        if length > max_length:
            raise StatementTooLongError(_too_long(max_length, f"{{{segment.name}}} filled with its value"))
        escaped = _escape(segment.name, value, segment.context)
        length += len(escaped) - len(value)
        if length > max_length:
            raise StatementTooLongError(_too_long(max_length, f"{{{segment.name}}} filled with its value"))
        pieces.append(escaped)
    return "".join(pieces)


@functools.lru_cache(maxsize=64)
def _plan(template: str, names: frozenset[str], sosl: bool) -> tuple[str | _Hole, ...]:
    """One pass over the template, a token of _TOKEN at a time: its text, and a _Hole for each placeholder that
    names a parameter. A flow sends the same template with the same parameter names on every call, so a
    container scans it once. A token the context does not take whole (SOSL's ``{{``, a placeholder naming no
    parameter, a backslash outside a literal) gives up only its first character and the scan goes on after it."""
    plan: list[str | _Hole] = []
    text: list[str] = []  # the template's text since the last hole
    in_literal = False
    search_depth = 0  # nesting inside SOSL's FIND {...} braces
    index = 0
    while index < len(template):
        token = _TOKEN.match(template, index)
        assert token is not None  # _TOKEN matches at every position
        kind = token.lastgroup
        if kind == "literal_braces" and not sosl:
            text.append("{" + token.group("literal_name") + "}")
            index = token.end()
            continue
        name = token.group("name") if kind == "placeholder" else ""
        if kind == "placeholder" and name in names:
            context = _Context.LITERAL if in_literal else _Context.SEARCH if search_depth else _Context.BARE
            if sosl and context is _Context.BARE and _AFTER_FIND.search(template, 0, index):
                raise TemplateError(
                    f"placeholder {{{name}}} follows FIND without braces of its own, so the value would lose SOSL's "
                    "search braces: "
                    f"write FIND {{{{{name}}}}} in the template, so the value is escaped as a search term"
                )
            plan += ["".join(text), _Hole(name, context, len(token.group(0)))]
            text.clear()
            index = token.end()
            continue
        if kind == "placeholder" and not sosl and _IDENTIFIER.fullmatch(name):
            raise TemplateError(
                f"the query uses {{{name}}} but no parameter named {name} was passed: "
                "add it to the Invoke AWS Lambda function block's parameters"
            )
        if kind == "text":
            text.append(token.group(0))  # no quote, brace or backslash: it opens and closes nothing
            index = token.end()
            continue
        if kind == "escape" and (in_literal or search_depth) and token.end() - index == 2:
            text.append(token.group(0))  # an escaped character never opens or closes anything
            index = token.end()
            continue
        character = template[index]
        if in_literal:
            in_literal = character != "'"
        elif search_depth:
            search_depth += {"{": 1, "}": -1}.get(character, 0)
        elif character == "'":
            in_literal = True
        elif character == "{" and sosl:
            search_depth = 1
        text.append(character)
        index += 1
    if in_literal:
        raise TemplateError(
            "the template has an unterminated string literal (a ' without its closing '): "
            "close it, and write a quote inside a literal as \\'"
        )
    if search_depth:
        raise TemplateError(
            "the search has an unterminated FIND {...} (a { without its closing }): "
            "close it, and write a brace inside the search term as \\{ or \\}"
        )
    plan.append("".join(text))
    return tuple(segment for segment in plan if segment != "")


def _too_long(max_length: int, what: str) -> str:
    return (
        f"the statement would be longer than Salesforce's limit of {max_length:,} characters with {what}: "
        "pass a shorter value, or split the search"
    )


def _escape(name: str, value: str, context: _Context) -> str:
    if context is _Context.LITERAL:
        return value.translate(_SOQL_LITERAL_TABLE)
    if context is _Context.SEARCH:
        return value.translate(_SOSL_SEARCH_TABLE)
    if _PLAIN_TOKEN.fullmatch(value):
        return value
    raise TemplateError(
        f"placeholder {{{name}}} is {context.value} and its value is not a plain token "
        "(letters, digits, _ . + -), so it could change the query: put the placeholder in quotes in the "
        "template, e.g. '{" + name + "}', so the value is escaped as a string"
    )
