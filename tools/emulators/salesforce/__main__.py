"""Run the org on its own, to try contact-flow parameters by hand (``make emulator ARGS=...`` runs this)::

    python -m tools.emulators.salesforce --port 8765 --consumer-key KEY --certificate server.crt \\
        --username user@example.com [--audience https://test.salesforce.com/] [--records records.json]

It prints the endpoints to put in ``SALESFORCE_AUTH_ENDPOINT`` / ``SALESFORCE_REST_API_ENDPOINT_BASE``
and logs each request with its outcome. ``records.json`` scripts answers by SOQL/SOSL substring::

    {"queries": {"FROM Contact": [{"Id": "003...", "Name": "Ada"}]},
     "searches": {"FIND {+8190": [{"attributes": {"type": "Contact"}, "Id": "003..."}]}}
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tools.emulators.salesforce.oauth import PRODUCTION_AUDIENCE
from tools.emulators.salesforce.server import SalesforceEmulator


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.emulators.salesforce",
        description="Run the Salesforce org emulator on its own, to try contact-flow parameters against it.",
    )
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--consumer-key", required=True, help="consumer key of the emulated connected app")
    parser.add_argument("--certificate", type=Path, required=True, help="PEM certificate uploaded to the app")
    parser.add_argument("--username", action="append", required=True, help="pre-authorized user (repeatable)")
    parser.add_argument(
        "--audience", action="append", help=f"accepted JWT audience (repeatable; default {PRODUCTION_AUDIENCE})"
    )
    parser.add_argument("--records", type=Path, help='JSON {"queries": {substring: [records]}, "searches": {...}}')
    return parser.parse_args(argv)


def _apply_script(emulator: SalesforceEmulator, script: Mapping[str, Mapping[str, list[dict[str, Any]]]]) -> None:
    for match, records in script.get("queries", {}).items():
        emulator.set_query_result(match, records)
    for match, records in script.get("searches", {}).items():
        emulator.set_search_result(match, records)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    emulator = SalesforceEmulator(port=args.port)
    emulator.register_app(args.consumer_key, args.certificate.read_text(), users=args.username)
    if args.audience:
        emulator.expected_audiences = set(args.audience)
    if args.records:
        _apply_script(emulator, json.loads(args.records.read_text()))
    with emulator:
        print(f"Salesforce emulator on {emulator.base_url} (Ctrl-C to stop)")
        print(f"  SALESFORCE_AUTH_ENDPOINT={emulator.auth_endpoint}")
        print(f"  SALESFORCE_REST_API_ENDPOINT_BASE={emulator.rest_base()}")
        print(f"  consumer key {args.consumer_key}; users {', '.join(args.username)}")
        print(f"  JWT audience(s): {', '.join(sorted(emulator.expected_audiences))}", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
