"""Service Cloud Voice's ``connect/conversations/upload``: transcripts posted as multipart parts, and their status.

The response shapes (``{"uploads": [...]}``, ``{"statuses": [...]}``) are this emulator's plausible reading of
the Connect API docs, not copied from a real org; what tests rely on is which parts arrived, kept here in order.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

from werkzeug.wrappers import Request, Response

from tools.emulators.salesforce.responses import api_error, json_response


@dataclass(frozen=True)
class UploadedTranscript:
    """One part of a ``connect/conversations/upload`` request: the field name is the contact id."""

    contact_id: str
    filename: str
    content: bytes
    upload_id: str


class TranscriptUploads:
    """The transcript part of :class:`~tools.emulators.salesforce.server.SalesforceEmulator` (thread-safe)."""

    def __init__(self) -> None:
        self._uploads_lock = threading.Lock()
        self._forget_uploads()

    def _forget_uploads(self) -> None:
        with self._uploads_lock:
            self._uploads: list[UploadedTranscript] = []

    @property
    def uploads(self) -> list[UploadedTranscript]:
        """Transcript parts received by ``connect/conversations/upload``, in order."""
        with self._uploads_lock:
            return list(self._uploads)

    def _upload(self, request: Request) -> Response:
        parts = [
            UploadedTranscript(name, part.filename or "", part.read(), uuid.uuid4().hex)
            for name, part in request.files.items(multi=True)
        ]
        if not parts:
            return api_error(400, "INVALID_API_INPUT", "No conversation was uploaded")
        with self._uploads_lock:
            self._uploads.extend(parts)
        uploads = [{"conversationIdentifier": part.contact_id, "uploadId": part.upload_id} for part in parts]
        return json_response(200, {"uploads": uploads})

    def _upload_statuses(self, request: Request) -> Response:
        upload_ids = [upload_id for upload_id in request.args.get("uploadIds", "").split(",") if upload_id]
        if not upload_ids:
            return api_error(400, "INVALID_API_INPUT", "uploadIds is required")
        known = {upload.upload_id: upload for upload in self.uploads}
        statuses = [
            {
                "uploadId": upload_id,
                "conversationIdentifier": known[upload_id].contact_id if upload_id in known else None,
                "status": "Completed" if upload_id in known else "NotFound",
            }
            for upload_id in upload_ids
        ]
        return json_response(200, {"statuses": statuses})
