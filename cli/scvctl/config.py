"""The contact center a command acts on, validated against the same config file ``cdk deploy`` reads.

Every command takes a contact-center name. Taking the rest (username, audience, certificate settings,
function name) from ``contact_centers.yaml`` through the construct library's config module means scvctl
and the stack can never disagree about names, and a typo in the name fails at once with the list of known names instead
of as a "secret not found" from AWS.

scvctl is installed with the construct library (``pip install -e .`` here, or the wheel), which
packages ``infra`` as ``scv_salesforce``: the config module ``cdk synth`` uses is a normal import.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from scvctl.errors import CliError

if TYPE_CHECKING:  # pragma: no cover
    from scv_salesforce.config import ContactCenter as ContactCenter


def _infra_config() -> ModuleType:
    from scv_salesforce import config

    return config


def default_config_file() -> Path:
    """contact_centers.yaml at the root of this checkout (what ``cdk synth`` reads without ``-c config=``)."""
    from scv_salesforce.config import DEFAULT_CONFIG_FILE  # a named import, so the type checker sees it exists

    return Path(DEFAULT_CONFIG_FILE)


def load_contact_center(name: str, config_file: Path | str | None = None, *, echo_name: bool = True) -> ContactCenter:
    """The validated contact center ``name``; a CliError naming the file and the known names otherwise.

    ``echo_name=False`` leaves an unknown name out of the message: where a secret value may have been
    typed in its place (``scvctl consumer-key set <value>``), it must not be printed back.
    """
    config = _infra_config()
    path = Path(config_file) if config_file else default_config_file()
    try:
        app_config = config.load_config(path)
    except config.ConfigError as error:
        message = str(error)
        raise CliError(message if message.startswith(str(path)) else f"{path}: {message}") from None
    try:
        return app_config.find(name)
    except config.ConfigError as error:
        if echo_name:
            raise CliError(f"{path}: {error}") from None
        known = ", ".join(contact_center.name for contact_center in app_config.contact_centers)
        raise CliError(
            f"{path}: no such contact center (the name is not shown: it may be a secret value typed by mistake); "
            f"known: {known}"
        ) from None


def org_view(contact_center: ContactCenter, org: str) -> ContactCenter:
    """The contact center as seen through its further org ``org`` (``--org``); a CliError naming its orgs."""
    try:
        return contact_center.as_org(org)
    except _infra_config().ConfigError as error:
        raise CliError(str(error)) from None
