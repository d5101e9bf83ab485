"""A refused sign-in, remembered in the access secret so that no container asks the token endpoint again for it.

When the token endpoint refuses (a frozen or inactive user, an unapproved app, a wrong certificate or consumer key,
LOGIN_RATE_EXCEEDED), asking again within seconds gets the same answer and spends the user's logins (Salesforce
blocks a user after 3,600 an hour, and stays blocking after the fix). So the container that met the refusal writes
it into the access secret (shared/secret_format.py: SignInRefusal) with a probe lease for itself. Every container,
a new one too, then answers with the same error without a token request, and only the lease holder asks again, at
most once per slot of SIGN_IN_RETRY_SECONDS counted from the refusal. The holder renews its lease when it runs out;
a lease left unrenewed for SIGN_IN_LEASE_GRACE_SECONDS (its container stopped getting calls) is taken over by one
other container (a version id only one write can use), so writers do not race while the holder is alive. A
success stores a token, which replaces the document and so forgets the refusal; so does `scvctl token reset`. A
call that meets a remembered refusal reads the access secret again (a read, never a write), so a token stored or a
reset made meanwhile is seen at once.
"""

from __future__ import annotations

import time
from enum import Enum

from scv_shared.secret_format import (
    SIGN_IN_LEASE_GRACE_SECONDS,
    SIGN_IN_PROBE_LEASE_SECONDS,
    SIGN_IN_RETRY_SECONDS,
    SignInRefusal,
)


class SignInStep(Enum):
    """What a container does with a refusal the access secret remembers."""

    REFUSE = "answer with the remembered refusal, no token request"
    PROBE = "ask the token endpoint again (this container holds the lease and this slot is not probed yet)"
    TAKE_OVER = "renew the expired probe lease, or take over one left unrenewed (one write); probe from the next slot"


def verdict(refusal: SignInRefusal, me: str, now: float, last_probed_slot: int | None) -> SignInStep:
    """The rules, in order (tests/invoker/test_sign_in.py has them as a table)."""
    holder = refusal.prober == me
    if now >= refusal.probe_until + (0 if holder else SIGN_IN_LEASE_GRACE_SECONDS):
        return SignInStep.TAKE_OVER
    slot = probe_slot(refusal, now)
    lease_start = refusal.probe_until - SIGN_IN_PROBE_LEASE_SECONDS
    slot_in_lease = refusal.refused_at + slot * SIGN_IN_RETRY_SECONDS >= lease_start
    if holder and slot_in_lease and slot != last_probed_slot:
        return SignInStep.PROBE
    return SignInStep.REFUSE


def probe_slot(refusal: SignInRefusal, now: float) -> int:
    """The index of the retry slot ``now`` falls in, counted from the refusal (slot 0 is the refusal itself)."""
    return int((now - refusal.refused_at) // SIGN_IN_RETRY_SECONDS)


def now() -> float:
    """Wall-clock time: the refusal's times are compared across containers."""
    return time.time()
