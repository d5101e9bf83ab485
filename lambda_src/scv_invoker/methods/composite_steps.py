"""composite's steps checked and built before the one request: the list's form, Salesforce's limits, each step's
method and parameters (the method's own checks), its ``{name}`` placeholders filled, and every ``@{ref...}``
reference (to an earlier step that has a result). Each problem is a BadRequestError naming its step."""

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from scv_invoker import templating
from scv_invoker.errors import BadRequestError
from scv_invoker.methods import query, records
from scv_invoker.methods.base import Method, encode_uri_component
from scv_invoker.salesforce import RestCall, quote_segment

#: Salesforce's limits for one Composite request
MAX_STEPS = 25
MAX_QUERIES = 5
#: the invocation's own parameters; every other one may fill a step's ``{name}`` placeholders
OWN_PARAMETERS = frozenset({"methodName", "requests", "allOrNone"})
#: top-level keys of the answer, so no step may be named like one
ANSWER_KEYS = frozenset({"success", "failedReferenceId", "errorCode", "errorMessage", "rolledBack"})

_REFERENCE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,79}")
_REFERENCE = re.compile(r"@\{([^{}]*)\}")
_PATH_ELEMENT = r"[A-Za-z_][A-Za-z0-9_]*(?:\[[0-9]+\])?"
_REFERENCE_TARGET = re.compile(rf"(?P<step>[A-Za-z][A-Za-z0-9_]*)\.(?P<path>{_PATH_ELEMENT}(?:\.{_PATH_ELEMENT})*)")
#: parameters that name what a step addresses: never a reference
_NO_REFERENCE = frozenset({"objectApiName", "externalIdField"})
#: path parameters a reference may fill as a whole value, with a well-formed stand-in for the method's own check
_REFERENCE_STAND_INS = {"recordId": "000000000000000", "externalId": "reference"}


class StepKind(NamedTuple):
    """What composite knows about one method: its request builder, its answer shaper, what may be referenced."""

    build: Callable[[Mapping[str, str], records.Segment], RestCall]
    answer: Callable[[int, Any], dict[str, Any]]
    #: what a later step may reference in its result (None: it has none, Salesforce answers 204)
    result_paths: re.Pattern[str] | None
    #: the parameters it takes when it is not a record method (None: every other parameter is a field)
    only_parameters: frozenset[str] | None = None

    @property
    def is_query(self) -> bool:
        return self.only_parameters is not None


def _query_call(parameters: Mapping[str, str], segment: records.Segment) -> RestCall:
    """queryRecord's request, its references left unencoded so Salesforce recognises them in the URL."""
    soql = parameters["soql"]
    pieces = _REFERENCE.split(soql)  # text, reference, text, ...
    encoded = "".join(encode_uri_component(piece) if i % 2 == 0 else f"@{{{piece}}}" for i, piece in enumerate(pieces))
    return RestCall("GET", "query/", query="q=" + encoded)


_ID = re.compile("id")
STEP_KINDS: dict[str, StepKind] = {
    "createRecord": StepKind(records.create_call, records.created_answer, _ID),
    "updateRecord": StepKind(records.update_call, records.done_answer, None),
    "upsertRecord": StepKind(records.upsert_call, records.upserted_answer, _ID),
    "deleteRecord": StepKind(records.delete_call, records.done_answer, None),
    "queryRecord": StepKind(
        _query_call,
        query.first_record_answer,
        re.compile(rf"records\[[0-9]+\](?:\.{_PATH_ELEMENT})+|totalSize"),
        only_parameters=frozenset({"soql"}),
    ),
}


class Step(NamedTuple):
    """One checked step: its name, its method, and the request it becomes."""

    reference_id: str
    method: str
    kind: StepKind
    call: RestCall


def parse_steps(parameters: Mapping[str, str], methods: Mapping[str, Method]) -> list[Step]:
    """The checked steps, or a BadRequestError naming the first step that is wrong and how to fix it."""
    raw_steps = _load(parameters["requests"])
    names = [raw.get("referenceId") if isinstance(raw, dict) else None for raw in raw_steps]
    context = {name: value for name, value in parameters.items() if name not in OWN_PARAMETERS}
    steps: list[Step] = []
    queries = 0
    for index, raw in enumerate(raw_steps):
        label = f"step {index + 1}" + (f" ({names[index]!r})" if isinstance(names[index], str) else "")
        step = _parse_step(raw, label, names, steps, context, methods)
        queries += step.kind.is_query
        if queries > MAX_QUERIES:
            raise _bad(
                f"{label} is query number {queries}; a Composite request takes at most {MAX_QUERIES} queries: "
                "move the others to a queryRecord of their own"
            )
        steps.append(step)
    return steps


def _load(text: str) -> list[Any]:
    try:
        loaded = json.loads(text)
    except ValueError as error:
        raise _bad(
            f"requests is not valid JSON ({error}): write a JSON list of steps, e.g. "
            '[{"referenceId": "newContact", "method": "createRecord", "objectApiName": "Contact", "LastName": "{n}"}]'
        ) from None
    if not isinstance(loaded, list) or not loaded:
        raise _bad('requests must be a non-empty JSON list of steps ({"referenceId", "method", ...}), not that')
    if len(loaded) > MAX_STEPS:
        raise _bad(
            f"requests has {len(loaded)} steps; a Composite request takes at most {MAX_STEPS}: split it into two "
            "composite invocations"
        )
    return loaded


def _parse_step(
    raw: Any,
    label: str,
    names: list[Any],
    earlier: list[Step],
    context: Mapping[str, str],
    methods: Mapping[str, Method],
) -> Step:
    if not isinstance(raw, dict):
        raise _bad(f'{label} is not a JSON object: write {{"referenceId": ..., "method": ..., ...parameters}}')
    reference_id = raw.get("referenceId")
    if not isinstance(reference_id, str) or not _REFERENCE_ID.fullmatch(reference_id):
        raise _bad(
            f"{label} needs a referenceId: a letter, then letters, digits or underscores (at most 80), e.g. newCase"
        )
    if reference_id in ANSWER_KEYS:
        raise _bad(f"{label}: referenceId {reference_id!r} is a key of the answer itself: choose another name")
    if reference_id in (step.reference_id for step in earlier):
        raise _bad(f"{label}: referenceId {reference_id!r} is used by an earlier step: give each step its own")
    method_name = raw.get("method")
    if not isinstance(method_name, str) or method_name not in STEP_KINDS:
        shown = repr(method_name[:64]) if isinstance(method_name, str) else "missing"
        raise _bad(f"{label}: method {shown} cannot be a step: use one of {', '.join(STEP_KINDS)}")
    kind, method = STEP_KINDS[method_name], methods[method_name]
    step_parameters = {key: value for key, value in raw.items() if key not in ("referenceId", "method")}
    not_strings = sorted(key for key, value in step_parameters.items() if not isinstance(value, str))
    if not_strings:
        raise _bad(f"{label}: {', '.join(not_strings)} must be text (in quotes), as every parameter of a flow is")
    if kind.only_parameters is not None and set(step_parameters) - kind.only_parameters:
        extra = ", ".join(sorted(set(step_parameters) - kind.only_parameters))
        raise _bad(
            f"{label}: {method_name} in a step takes only {', '.join(sorted(kind.only_parameters))}, not {extra}"
        )
    steps_before = {step.reference_id: step for step in earlier}
    for key, value in step_parameters.items():
        _check_references(label, key, value, steps_before, names)
    rendered = {key: _render(label, key, value, context, kind) for key, value in step_parameters.items()}
    missing = [name for name in method.required if not rendered.get(name, "").strip()]
    if missing:
        raise _bad(f"{label}: {method_name} needs {', '.join(missing)}", error_code="MISSING_PARAMETER")
    if method.validate is not None and not kind.is_query:  # a query was checked by rendering its soql
        stand_ins = {key: _REFERENCE_STAND_INS[key] for key in _REFERENCE_STAND_INS if _is_reference(rendered.get(key))}
        try:
            method.validate({**rendered, **stand_ins})
        except BadRequestError as error:
            raise _bad(f"{label}: {error.error_message}", error_code=error.error_code) from None
    return Step(reference_id, method_name, kind, kind.build(rendered, _segment))


def _render(label: str, key: str, value: str, context: Mapping[str, str], kind: StepKind) -> str:
    collisions = [name for name in _REFERENCE.findall(value) if name in context]
    if collisions:
        raise _bad(f"{label}: {key}: a parameter is named {collisions[0]!r} like the reference @{{{collisions[0]}}}")
    try:
        if kind.is_query:
            rendered = templating.render_soql(value, context)
        else:
            rendered = templating.render_text(value, context)
    except templating.TemplateError as error:
        raise _bad(f"{label}: {key}: {error}", error_code="INVALID_TEMPLATE") from None
    if rendered.count("@{") != value.count("@{"):
        raise _bad(
            f"{label}: {key}: a parameter's value contains @{{, which Salesforce would read as a reference to "
            "another step's result: pass the value without it"
        )
    return rendered


def _check_references(label: str, key: str, value: str, earlier: Mapping[str, Step], names: list[Any]) -> None:
    references = _REFERENCE.findall(value)
    if value.count("@{") != len(references):
        raise _bad(f"{label}: {key} has an unterminated reference: write @{{step.id}} or @{{step.records[0].Id}}")
    if references and key in _NO_REFERENCE:
        raise _bad(f"{label}: {key} cannot be a reference; only recordId, externalId and fields can")
    if references and key in _REFERENCE_STAND_INS and not _is_reference(value):
        raise _bad(f"{label}: {key} must be a whole reference (e.g. @{{newCase.id}}) or hold none")
    for inner in references:
        target = _REFERENCE_TARGET.fullmatch(inner)
        if target is None:
            raise _bad(
                f"{label}: {key}: @{{{inner}}} is not a reference: write @{{step.id}} or @{{step.records[0].Id}}"
            )
        name, path = target.group("step"), target.group("path")
        step = earlier.get(name)
        if step is None:
            where = "a later step: a step can refer only to the steps before it" if name in names else "no step"
            raise _bad(f"{label}: {key}: @{{{inner}}} refers to {name!r}, which is {where}")
        if step.kind.result_paths is None:
            raise _bad(f"{label}: {key}: @{{{inner}}}: step {name!r} ({step.method}) has no result to refer to")
        if not step.kind.result_paths.fullmatch(path):
            shown = f"@{{{name}.id}}" if step.kind.result_paths is _ID else f"@{{{name}.records[0].Id}}"
            raise _bad(f"{label}: {key}: @{{{inner}}}: of step {name!r} ({step.method}) refer to e.g. {shown}")


def _is_reference(value: str | None) -> bool:
    return value is not None and _REFERENCE.fullmatch(value) is not None


def _segment(value: str) -> str:
    """A path segment; a whole reference stays as it is, for Salesforce to fill in."""
    return value if _is_reference(value) else quote_segment(value)


def _bad(message: str, *, error_code: str = "INVALID_PARAMETER") -> BadRequestError:
    return BadRequestError(message, error_code=error_code)
