"""Salesforce's documented request limits, checked before a request is sent.

A value a flow passes can be any size (Connect caps only its answer). Past these limits Salesforce answers
414 or MALFORMED_QUERY after the request has cost time from Connect's 8 s and a call from the org's daily
allowance, so the invoker refuses such a request itself with a 400 that says which limit and what to pass.

- SOQL statements: at most 100,000 characters by default ("SOQL and SOSL Limits for Search Queries" in the
  Salesforce limits cheat sheet); SOSL "has the same limits that SOQL imposes".
- REST calls: the URI and the headers together at most 16,384 bytes; a longer URI is answered 414 URI Too
  Long (Salesforce Help 000386264). The headers the invoker sends (a bearer token of about 110 characters,
  Accept, Host, User-Agent, ...) stay under 1 KB, so the URI may use the rest.
"""

from __future__ import annotations

MAX_STATEMENT_CHARACTERS = 100_000
MAX_URI_AND_HEADERS_BYTES = 16_384
HEADERS_ALLOWANCE_BYTES = 1_024
MAX_URI_BYTES = MAX_URI_AND_HEADERS_BYTES - HEADERS_ALLOWANCE_BYTES
