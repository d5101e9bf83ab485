"""Reading the config: the YAML file (or the one CDK context names), the whole app's rules, and pydantic's
report turned into one ``ConfigError`` with a line per mistake, each naming the contact center and the field.

This package is the only code that reads that file or CDK context; constructs receive the typed, validated
result, and a bad value fails ``cdk synth`` before anything is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import Field, ValidationError, model_validator
from scv_shared.secret_format import secret_name_prefix

from .contact_center import ContactCenter
from .pipeline import DeployPipeline
from .types import ConfigError, StrictModel

_CHECKOUT_CONFIG_FILE = Path(__file__).resolve().parents[2] / "contact_centers.yaml"
#: the checkout's contact_centers.yaml (what ``cdk synth`` reads without ``-c config=``), else the current folder's
DEFAULT_CONFIG_FILE = _CHECKOUT_CONFIG_FILE if _CHECKOUT_CONFIG_FILE.is_file() else Path("contact_centers.yaml")
CONFIG_CONTEXT_KEY = "config"


class AppConfig(StrictModel):
    """All contact centers of this app, and optionally the deploy pipeline's roles."""

    contact_centers: Annotated[list[ContactCenter], Field(min_length=1)]
    deploy_pipeline: DeployPipeline | None = None

    @model_validator(mode="after")
    def _unique_names(self) -> AppConfig:
        seen: dict[str, tuple[int, str]] = {}
        for number, contact_center in enumerate(self.contact_centers, 1):
            key = contact_center.name.lower().replace("_", "-")
            if key in seen:
                first_number, first_name = seen[key]
                same = "the same name" if first_name == contact_center.name else "names that differ only in case or _/-"
                raise ValueError(
                    f"contact centers #{first_number} {first_name!r} and #{number} {contact_center.name!r} collide: "
                    f"{same} (their stack and resource names would clash); rename one"
                )
            seen[key] = (number, contact_center.name)
        owners: dict[str, str] = {}
        for contact_center in self.contact_centers:
            for org in [None, *contact_center.orgs]:
                prefix = secret_name_prefix(contact_center.name, org.name if org else None).lower()
                owner = f"contact center {contact_center.name!r}" + (f" org {org.name!r}" if org else "")
                if prefix in owners:
                    raise ValueError(
                        f"{owner} and {owners[prefix]} would share the secrets {prefix}-salesforce-secret: "
                        "rename the org or the contact center"
                    )
                owners[prefix] = owner
        return self

    def find(self, name: str) -> ContactCenter:
        for contact_center in self.contact_centers:
            if contact_center.name == name:
                return contact_center
        known = ", ".join(cc.name for cc in self.contact_centers)
        raise ConfigError(f"no contact center named {name!r} in the config (known: {known})")


def parse_config(raw: Any, *, source: str = "config") -> AppConfig:
    """Validate a parsed config document, turning pydantic's errors into one readable message."""
    try:
        return AppConfig.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(_describe(error, raw, source)) from None


def load_config(path: Path | str = DEFAULT_CONFIG_FILE) -> AppConfig:
    """Read and validate a YAML (or JSON, which is YAML) config file."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found (copy contact_centers.yaml and edit it)") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    return parse_config(raw, source=str(path))


def load_from_context(context: Mapping[str, Any] | Any) -> AppConfig:
    """Load the config file named by the CDK context key ``config`` (default: contact_centers.yaml).

    ``context`` is anything with ``try_get_context`` (a CDK App's node) or a plain mapping.
    """
    getter = getattr(context, "try_get_context", None)
    value = getter(CONFIG_CONTEXT_KEY) if getter else context.get(CONFIG_CONTEXT_KEY)
    return load_config(value or DEFAULT_CONFIG_FILE)


def _describe(error: ValidationError, raw: Any, source: str) -> str:
    lines = [f"{source}: invalid contact-center config"]
    for problem in error.errors():
        location = list(problem["loc"])
        where = _where(location, raw)
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "missing":
            message = "is required"
        elif problem["type"] == "extra_forbidden":
            message = "is not a known setting (check the spelling against README's config reference)"
        elif problem["type"] in ("bool_parsing", "bool_type"):
            message = f"must be true or false, not {problem['input']!r}"
        lines.append(f"  - {where}: {message}")
    return "\n".join(lines)


def _where(location: list[Any], raw: Any) -> str:
    """'contact center "acme", field salesforce_url' rather than pydantic's tuple path."""
    if len(location) >= 2 and location[0] == "contact_centers" and isinstance(location[1], int):
        index = location[1]
        name = None
        try:
            name = raw["contact_centers"][index].get("name")
        except (KeyError, IndexError, TypeError, AttributeError):
            pass
        label = f'contact center "{name}"' if name else f"contact center #{index + 1}"
        field = ".".join(str(part) for part in location[2:])
        return f"{label}, field {field}" if field else label
    return "field " + ".".join(str(part) for part in location) if location else "top level"
