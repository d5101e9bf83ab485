"""The org's records and platform events, and the ``sobjects`` resources that change them.

``sobjects/<Object>[/<id>]`` creates, reads, updates and deletes in memory; ``PATCH
sobjects/<Object>/<field>/<value>`` upserts by external id (201 ``created: true`` for a new record, 200
``created: false`` for the one record holding that value, 300 with the records' URLs when several do);
required fields (:meth:`RecordStore.require_fields`) fail as Salesforce's ``REQUIRED_FIELD_MISSING``; a
platform event such as ``RealtimeAlertEvent`` is published (``OPERATION_ENQUEUED``), not stored.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

from tools.emulators.salesforce.ids import salesforce_id
from tools.emulators.salesforce.responses import NOT_A_JSON_OBJECT, NOT_FOUND, json_object, json_response
from tools.emulators.salesforce.shapes import record_url, with_attributes

_PLATFORM_EVENTS = {"RealtimeAlertEvent"}


@dataclass(frozen=True)
class StoredRecord:
    """A record created through the API (or seeded with :meth:`RecordStore.add_record`)."""

    sobject: str
    id: str
    fields: dict[str, Any]


@dataclass
class _Records:
    """Everything :meth:`RecordStore._forget_records` forgets."""

    records: dict[str, StoredRecord] = field(default_factory=dict)  # 15-character id -> record
    events: list[StoredRecord] = field(default_factory=list)
    required_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)  # lower-case object -> fields


class RecordStore:
    """The records part of :class:`~tools.emulators.salesforce.server.SalesforceEmulator` (thread-safe)."""

    def __init__(self) -> None:
        self._records_lock = threading.RLock()
        self._forget_records()

    def _forget_records(self) -> None:
        with self._records_lock:
            self._store = _Records()

    def add_record(self, sobject: str, fields: Mapping[str, Any], record_id: str | None = None) -> str:
        """Seed a record the API can read, update and delete; returns its 18-character id."""
        record_id = record_id or salesforce_id(sobject)
        with self._records_lock:
            self._store.records[record_id[:15]] = StoredRecord(sobject, record_id, dict(fields))
        return record_id

    def require_fields(self, sobject: str, *fields: str) -> None:
        """Creating ``sobject`` without one of ``fields`` fails with REQUIRED_FIELD_MISSING, as a required field
        does in Salesforce (e.g. Contact's LastName)."""
        with self._records_lock:
            self._store.required_fields[sobject.lower()] = fields

    def record(self, record_id: str) -> StoredRecord | None:
        """A stored record by 15- or 18-character id (None once deleted)."""
        with self._records_lock:
            return self._store.records.get(record_id[:15])

    def records(self, sobject: str) -> list[StoredRecord]:
        with self._records_lock:
            return [record for record in self._store.records.values() if record.sobject == sobject]

    @property
    def published_events(self) -> list[StoredRecord]:
        """Platform events (e.g. RealtimeAlertEvent) published through sobjects, in order."""
        with self._records_lock:
            return list(self._store.events)

    @contextmanager
    def _transaction(self) -> Iterator[Callable[[], None]]:
        """Hold the records while a Composite request runs; calling what it yields undoes every change."""
        with self._records_lock:
            saved = (dict(self._store.records), list(self._store.events))

            def rollback() -> None:
                self._store.records, self._store.events = saved

            yield rollback

    def _create(self, request: Request, sobject: str) -> Response:
        fields = json_object(request)
        if fields is None:
            return json_response(400, NOT_A_JSON_OBJECT)
        missing = self._missing_required(sobject, fields)
        if missing is not None:
            return missing
        record = StoredRecord(sobject, salesforce_id(sobject), fields)
        with self._records_lock:
            if sobject in _PLATFORM_EVENTS or sobject.endswith("__e"):
                self._store.events.append(record)
                enqueued = {"statusCode": "OPERATION_ENQUEUED", "message": str(uuid.uuid4()), "fields": []}
                return json_response(201, {"id": record.id, "success": True, "errors": [enqueued]})
            self._store.records[record.id[:15]] = record
        return json_response(201, {"id": record.id, "success": True, "errors": []})

    def _record_operation(self, request: Request, version: str, sobject: str, record_id: str) -> Response:
        with self._records_lock:
            stored = self._store.records.get(record_id[:15])
            if stored is None or stored.sobject.lower() != sobject.lower():
                return json_response(404, NOT_FOUND)
            if request.method == "DELETE":
                del self._store.records[record_id[:15]]
                return Response(status=204)
        if request.method == "GET":
            return json_response(200, with_attributes({"Id": stored.id, **stored.fields}, stored.sobject, version))
        fields = json_object(request)
        if fields is None:
            return json_response(400, NOT_A_JSON_OBJECT)
        with self._records_lock:
            self._store.records[record_id[:15]] = StoredRecord(stored.sobject, stored.id, {**stored.fields, **fields})
        return Response(status=204)

    def _missing_required(self, sobject: str, fields: Mapping[str, Any]) -> Response | None:
        with self._records_lock:
            required = self._store.required_fields.get(sobject.lower(), ())
        missing = [name for name in required if fields.get(name) in (None, "")]
        if not missing:
            return None
        message = f"Required fields are missing: [{', '.join(missing)}]"
        return json_response(400, [{"message": message, "errorCode": "REQUIRED_FIELD_MISSING", "fields": missing}])

    def _upsert(self, request: Request, version: str, sobject: str, id_field: str, value: str) -> Response:
        """Upsert by external id: create when no record holds ``value`` in ``id_field``, update the one that does."""
        fields = json_object(request)
        if fields is None:
            return json_response(400, NOT_A_JSON_OBJECT)
        with self._records_lock:
            if id_field.lower() == "id":
                stored = self._store.records.get(value[:15])
                matches = [stored] if stored is not None and stored.sobject.lower() == sobject.lower() else []
                if not matches:
                    return json_response(404, NOT_FOUND)
            else:
                matches = [
                    record
                    for record in self._store.records.values()
                    if record.sobject.lower() == sobject.lower() and str(record.fields.get(id_field)) == value
                ]
            if len(matches) > 1:
                urls = [record_url(version, record.sobject, record.id) for record in matches]
                return json_response(300, urls)
            if matches:
                (stored,) = matches
                self._store.records[stored.id[:15]] = StoredRecord(
                    stored.sobject, stored.id, {**stored.fields, **fields}
                )
                return json_response(200, {"id": stored.id, "success": True, "errors": [], "created": False})
            fields = {**fields, id_field: value}
            missing = self._missing_required(sobject, fields)
            if missing is not None:
                return missing
            record = StoredRecord(sobject, salesforce_id(sobject), fields)
            self._store.records[record.id[:15]] = record
        return json_response(201, {"id": record.id, "success": True, "errors": [], "created": True})
