"""``query`` (SOQL) and ``search`` (SOSL): answers scripted by substring, and the one query the org evaluates.

The emulator does not run SOQL: a test scripts the records a statement containing some text answers
(:meth:`ScriptedQueries.set_query_result`, :meth:`ScriptedQueries.set_search_result`), which is what the
invoker's behaviour depends on. The exception is Service Cloud Voice's voicemail greeting lookup
(``SELECT VoiceMailGreeting2.GreetingUrl FROM VoiceMailGreeting2Rep WHERE ...``), evaluated from routing maps
and greetings (:meth:`ScriptedQueries.add_routing_map`, :meth:`ScriptedQueries.add_voicemail_greeting`)
because its conditions are what the voicemail method gets right or wrong. A query for a user by ``Username`` is
answered from the org's users (:mod:`~tools.emulators.salesforce.metadata`), unless a test scripted it.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

from tools.emulators.salesforce.ids import salesforce_id
from tools.emulators.salesforce.responses import api_error, json_response
from tools.emulators.salesforce.shapes import with_attributes


@dataclass(frozen=True)
class VoicemailGreeting:
    """A VoiceMailGreeting2 record linked to one rep (user) by a VoiceMailGreeting2Rep record."""

    rep_id: str
    url: str
    type: str = "DROP"
    is_default: bool = True


@dataclass
class _ScriptedResult:
    match: str
    records: list[dict[str, Any]]
    total_size: int | None
    sobject: str | None


@dataclass
class _Scripts:
    """Everything :meth:`ScriptedQueries._forget_scripts` forgets."""

    queries: list[_ScriptedResult] = field(default_factory=list)
    searches: list[_ScriptedResult] = field(default_factory=list)
    routing_maps: list[tuple[str, str]] = field(default_factory=list)  # (ExternalId, ReferenceRecordId)
    greetings: list[VoicemailGreeting] = field(default_factory=list)


class ScriptedQueries:
    """The query part of :class:`~tools.emulators.salesforce.server.SalesforceEmulator` (thread-safe)."""

    def __init__(self) -> None:
        self._scripts_lock = threading.RLock()
        self._forget_scripts()

    def _forget_scripts(self) -> None:
        with self._scripts_lock:
            self._scripts = _Scripts()

    def set_query_result(
        self, match: str, records: list[dict[str, Any]], total_size: int | None = None, *, sobject: str | None = None
    ) -> None:
        """Answer queries whose SOQL contains ``match`` (case-insensitive; the last one registered wins).

        Records get ``attributes`` like Salesforce's, nested relationship records too; the type is
        ``sobject``, else the object after FROM, unless a record carries its own ``attributes``.
        """
        with self._scripts_lock:
            self._scripts.queries.append(_ScriptedResult(match.lower(), records, total_size, sobject))

    def set_search_result(self, match: str, records: list[dict[str, Any]], *, sobject: str | None = None) -> None:
        """Answer SOSL searches containing ``match``; the type defaults to the first object after RETURNING."""
        with self._scripts_lock:
            self._scripts.searches.append(_ScriptedResult(match.lower(), records, None, sobject))

    def add_routing_map(self, external_id: str, user_id: str | None = None) -> str:
        """A CallCenterRoutingMap from an agent's ARN (ExternalId) to a user (ReferenceRecordId) (the user id)."""
        user_id = user_id or salesforce_id("User")
        with self._scripts_lock:
            self._scripts.routing_maps.append((external_id, user_id))
        return user_id

    def add_voicemail_greeting(self, rep_id: str, url: str, *, type: str = "DROP", default: bool = True) -> None:
        """A VoiceMailGreeting2 for a rep: what ``SELECT VoiceMailGreeting2.GreetingUrl FROM VoiceMailGreeting2Rep``
        finds (the emulator evaluates that query's ExternalId, Type and IsDefault conditions itself)."""
        with self._scripts_lock:
            self._scripts.greetings.append(VoicemailGreeting(rep_id, url, type, default))

    def _query(self, request: Request, version: str) -> Response:
        soql = request.args.get("q", "")
        if not soql.strip():
            return api_error(400, "MALFORMED_QUERY", "q parameter is required")
        scripted = self._scripted(self._scripts.queries, soql)
        if scripted is None and (main_object(soql, "FROM") or "").lower() == "voicemailgreeting2rep":
            scripted = self._greeting_query(soql)
        if scripted is None:
            users = self._directory_records(soql)  # type: ignore[attr-defined]
            scripted = None if users is None else _ScriptedResult("", users, None, "User")
        if scripted is None:
            return json_response(200, {"totalSize": 0, "done": True, "records": []})
        sobject = scripted.sobject or main_object(soql, "FROM") or "SObject"
        records = [with_attributes(record, sobject, version) for record in scripted.records]
        total = len(records) if scripted.total_size is None else scripted.total_size
        return json_response(200, {"totalSize": total, "done": True, "records": records})

    def _search(self, request: Request, version: str) -> Response:
        sosl = request.args.get("q", "")
        if not sosl.strip():
            return api_error(400, "MALFORMED_SEARCH", "q parameter is required")
        scripted = self._scripted(self._scripts.searches, sosl)
        if scripted is None:
            return json_response(200, {"searchRecords": []})
        sobject = scripted.sobject or main_object(sosl, "RETURNING") or "SObject"
        return json_response(
            200, {"searchRecords": [with_attributes(record, sobject, version) for record in scripted.records]}
        )

    def _greeting_query(self, soql: str) -> _ScriptedResult | None:
        """VoiceMailGreeting2Rep rows of the reps whose routing map's ExternalId is the quoted literal, honouring
        ``VoiceMailGreeting2.Type='<type>'`` and ``IsDefault = true`` when the query has them; a relationship
        field comes back nested, as Salesforce returns it."""
        external_id = re.search(r"ExternalId\s*=\s*'((?:\\.|[^'\\])*)'", soql, re.IGNORECASE)
        if external_id is None:
            return None
        arn = re.sub(r"\\(.)", r"\1", external_id.group(1))
        wanted_type = re.search(r"VoiceMailGreeting2\.Type\s*=\s*'([^']*)'", soql, re.IGNORECASE)
        default_only = re.search(r"\bIsDefault\s*=\s*true\b", soql, re.IGNORECASE) is not None
        with self._scripts_lock:
            reps = {user_id for external, user_id in self._scripts.routing_maps if external == arn}
            greetings = [
                greeting
                for greeting in self._scripts.greetings
                if greeting.rep_id in reps
                and (wanted_type is None or greeting.type == wanted_type.group(1))
                and (greeting.is_default or not default_only)
            ]
        records = [{"VoiceMailGreeting2": {"GreetingUrl": greeting.url}} for greeting in greetings[:1]]
        return _ScriptedResult("", records, None, "VoiceMailGreeting2Rep")

    def _scripted(self, results: list[_ScriptedResult], statement: str) -> _ScriptedResult | None:
        with self._scripts_lock:
            return next((result for result in reversed(results) if result.match in statement.lower()), None)


def main_object(statement: str, keyword: str) -> str | None:
    """The object after FROM (SOQL) or RETURNING (SOSL), ignoring parenthesized subqueries and field lists."""
    previous = None
    while previous != statement:
        previous, statement = statement, re.sub(r"\([^()]*\)", " ", statement)
    match = re.search(rf"\b{keyword}\s+(\w+)", statement, re.IGNORECASE)
    return match.group(1) if match else None
