"""multipart/form-data bodies (RFC 7578), for the one method that uploads files (uploadTranscript).

Written here rather than taken from urllib3's ``encode_multipart_formdata`` because importing urllib3 is what
the invoker dropped (connections.py says why, with the figures). Names and file names are escaped as browsers
do (the WHATWG HTML rule urllib3 also follows): a double quote, CR and LF become %22, %0D and %0A, so a name
can never end its header line or its quoted string.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

#: (field name, (file name, content, content type))
FilePart = tuple[str, tuple[str, bytes, str]]

_ESCAPES = {ord('"'): "%22", ord("\r"): "%0D", ord("\n"): "%0A"}


def encode(parts: Sequence[FilePart]) -> tuple[bytes, str]:
    """The body and its Content-Type header value, with a random boundary that no part contains."""
    while True:
        boundary = os.urandom(16).hex()
        marker = f"--{boundary}".encode("ascii")
        if not any(marker in content for _, (_, content, _) in parts):
            break
    chunks: list[bytes] = []
    for name, (filename, content, content_type) in parts:
        header = (
            f'Content-Disposition: form-data; name="{name.translate(_ESCAPES)}"; '
            f'filename="{filename.translate(_ESCAPES)}"\r\nContent-Type: {content_type}\r\n\r\n'
        )
        chunks += [marker, b"\r\n", header.encode("utf-8"), content, b"\r\n"]
    chunks += [marker, b"--\r\n"]
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"
