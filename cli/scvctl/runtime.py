"""What a command runs with: its contact center, the AWS session and secret store (made on first use), and
the changes it made (said again on stderr when stdout is closed before they were shown: ``scvctl ... | head``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import boto3
from scv_seeder.store import SecretStore
from scv_shared import public_certificate
from scv_shared.secret_format import certificate_parameter_name

from scvctl.aws import secret_store, ssm_client
from scvctl.invoke import Invoker

if TYPE_CHECKING:  # pragma: no cover
    from scvctl.config import ContactCenter


@dataclass
class Runtime:
    """The resolved contact center plus lazily opened AWS access (so a bad name fails before AWS is touched)."""

    #: with ``--org``: the contact center as seen through that org (its URL, user, audience, certificate settings)
    contact_center: ContactCenter
    open_session: Callable[[], boto3.Session]
    invoker: Invoker | None = None
    #: a further org of the contact center (``--org``), None for its own
    org: str | None = None
    changes: list[str] = field(default_factory=list)

    def changed(self, what: str) -> None:
        """Record a change made to the secrets or to files, right after making it (before printing about it)."""
        self.changes.append(what)

    @cached_property
    def session(self) -> boto3.Session:
        return self.open_session()

    @cached_property
    def store(self) -> SecretStore:
        return secret_store(self.session, self.contact_center.name, self.org)

    @property
    def certificate_parameter(self) -> str:
        return certificate_parameter_name(self.contact_center.name, self.org)

    def published_certificate(self) -> str | None:
        """The certificate in use as published for readers without rights on the key (None: not yet)."""
        return public_certificate.read(ssm_client(self.session), self.certificate_parameter)

    def publish_certificate(self, certificate_pem: str) -> None:
        """After a command changed the certificate in use, so the daily check and ``cert show`` see it."""
        public_certificate.publish(ssm_client(self.session), self.certificate_parameter, certificate_pem)
