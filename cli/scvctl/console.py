"""What scvctl prints and the files it writes: certificates only, never a secret value.

The private key, the consumer key and the access token stay in Secrets Manager; they never pass through
these functions. Certificates are public (they are what gets uploaded to Salesforce), so they are
printed and written freely.

A stdout whose reader went away (``scvctl cert show cc | head -1``) never stops a command halfway: the
first failed write swaps stdout for :class:`ClosedStdout`, the command finishes its work, and main()
then says on stderr what it changed (:func:`stdout_closed`).
"""

from __future__ import annotations

import io
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scv_seeder.credentials import CertificateInfo, certificate_info

from scvctl.errors import CliError

#: the CertificateExpiry alarm's default warning period
EXPIRY_WARNING_DAYS = 30


class ClosedStdout(io.TextIOBase):
    """Takes the place of a stdout nobody reads any more: what is written is dropped."""

    def write(self, text: str) -> int:
        return len(text)


def say(text: str = "") -> None:
    _write_stdout(text + "\n")


def _write_stdout(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()  # each line now, so a closed pipe is found here and not at exit
    except BrokenPipeError:
        _drop_stdout()


def _drop_stdout() -> None:
    try:  # the interpreter's own flush at exit then writes to /dev/null instead of failing again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # not a file descriptor (tests capture stdout)
        pass
    sys.stdout = ClosedStdout()


def stdout_closed() -> bool:
    """Whether a write to stdout found its reader gone (anything still buffered is flushed first)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _drop_stdout()
    return isinstance(sys.stdout, ClosedStdout)


def note(text: str) -> None:
    """Secondary information (warnings, hints) on stderr, so stdout stays the result."""
    print(text, file=sys.stderr)


def expiry_text(info: CertificateInfo, now: datetime | None = None) -> str:
    """The expiry with the time left counted as a person reads it: a certificate made for 730 days has
    730 days left, not 729 (it is seconds old), and one that expired seconds ago did so less than a day ago."""
    remaining = datetime.fromisoformat(info.not_after) - (now or datetime.now(UTC))
    if remaining <= timedelta(0):
        return (
            f"{info.not_after} (EXPIRED {_days(-remaining)} ago: Salesforce may still accept it for the JWT "
            "bearer flow, but renew it: scvctl cert renew)"
        )
    if remaining < timedelta(days=EXPIRY_WARNING_DAYS + 0.5):
        return f"{info.not_after} ({_days(remaining)} left: renew soon with scvctl cert renew)"
    return f"{info.not_after} ({_days(remaining)} left)"


def _days(span: timedelta) -> str:
    """'less than a day', '1 day', '730 days' (to the nearest day)."""
    if span < timedelta(days=1):
        return "less than a day"
    days = int(span / timedelta(days=1) + 0.5)
    return "1 day" if days == 1 else f"{days} days"


def certificate_summary(title: str, certificate_pem: str, *, with_pem: bool = True) -> CertificateInfo:
    """Print a certificate's subject, SHA-256 fingerprint and expiry (and the PEM); returns its info."""
    info = certificate_info(certificate_pem)
    say(title)
    say(f"  Subject CN:  {info.common_name}")
    say(f"  SHA-256:     {info.fingerprint_sha256}")
    say(f"  Expires:     {expiry_text(info)}")
    if with_pem:
        say(certificate_pem.rstrip("\n"))
    return info


def write_public_file(path: Path, content: str) -> None:
    """Write a certificate or metadata file (public content); '-' means stdout."""
    if str(path) == "-":
        _write_stdout(content if content.endswith("\n") else content + "\n")
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if content.endswith("\n") else content + "\n", encoding="utf-8")
    except OSError as error:
        raise CliError(f"cannot write {path}: {error.strerror or error}") from None


def read_text_file(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CliError(f"{what} {path}: no such file") from None
    except UnicodeDecodeError:
        raise CliError(f"{what} {path} is not a PEM text file (a DER file? convert it to PEM with openssl)") from None
    except OSError as error:
        raise CliError(f"cannot read {what} {path}: {error.strerror or error}") from None


def display_path(path: Path) -> str:
    """The path as the user would type it (relative to the working directory when inside it)."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
    return str(path) if relative.startswith("..") else relative
