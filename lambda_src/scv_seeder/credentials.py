"""The RSA key pair and self-signed certificate of the JWT bearer flow, without openssl.

Replaces the setup guide's ``openssl genpkey`` / ``req`` / ``x509 -req -sha256 -signkey`` steps: an
unencrypted PKCS#8 RSA-2048 key (what the guide's ``server.key`` ends up as) and a self-signed SHA-256
certificate for it, which is all Salesforce needs to verify the assertions. A renewal is a new
certificate for the same key, so the certificate in Salesforce can be replaced without an outage (the
old ``server.crt`` keeps verifying the same signatures until it is swapped).

Pure functions over PEM strings: no AWS, no files. The seeder custom resource and scvctl both use them.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

KEY_SIZE = 2048
MIN_KEY_SIZE = 2048
#: X.509 upper bound for a common name (RFC 5280 ub-common-name)
MAX_COMMON_NAME_LENGTH = 64
#: notBefore is set slightly in the past so a clock a little behind ours still accepts the certificate
CLOCK_SKEW = timedelta(minutes=5)
#: a bound well past any policy (infra allows 3650) that keeps notAfter a representable date
MAX_VALIDITY_DAYS = 36500
DECRYPT_HINT = "openssl rsa -in server.pass.key -out server.key"


class CredentialError(ValueError):
    """A key or certificate that cannot be used; the message says what to do."""


@dataclass(frozen=True)
class CertificateInfo:
    """What an administrator needs to know about a certificate (all of it public)."""

    fingerprint_sha256: str  # colon-separated upper-case hex, as `openssl x509 -fingerprint -sha256` prints it
    not_after: str  # ISO 8601, UTC
    common_name: str
    days_left: int  # negative once expired


def generate_private_key() -> str:
    """A new RSA-2048 key as unencrypted PKCS#8 PEM (``-----BEGIN PRIVATE KEY-----``)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def generate_key_pair(common_name: str, validity_days: int) -> tuple[str, str]:
    """(private key PEM, certificate PEM): the guide's server.key and server.crt in one step."""
    private_key_pem = generate_private_key()
    return private_key_pem, issue_certificate(private_key_pem, common_name, validity_days)


def load_private_key(private_key_pem: str) -> rsa.RSAPrivateKey:
    """The key, if it is an unencrypted RSA key of at least 2048 bits; else CredentialError saying what to do."""
    if "\\n" in private_key_pem and "\n" not in private_key_pem.strip():
        raise CredentialError(
            "the private key's line breaks are the two characters \\n, not newlines: it was escaped twice; "
            "paste the PEM with real newlines (in JSON each one is written \\n once)"
        )
    try:
        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    except TypeError:
        raise CredentialError(f"the private key is encrypted: decrypt it first ({DECRYPT_HINT})") from None
    except (ValueError, UnicodeError):
        raise CredentialError(
            "the private key is not a PEM private key (-----BEGIN PRIVATE KEY-----); "
            "a DER or PuTTY key must be converted to PEM with openssl first"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CredentialError(
            f"the private key is {type(key).__name__.removeprefix('_').removesuffix('PrivateKey')}, not RSA: "
            "the JWT bearer flow signs with RS256"
        )
    if key.key_size < MIN_KEY_SIZE:
        raise CredentialError(f"the RSA key has {key.key_size} bits; Salesforce needs at least {MIN_KEY_SIZE}")
    return key


def public_key_fingerprint(private_key_pem: str) -> str:
    """SHA-256 hex of the key's public half (SubjectPublicKeyInfo DER): names a key without revealing it."""
    public_der = (
        load_private_key(private_key_pem)
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return hashlib.sha256(public_der).hexdigest()


def issue_certificate(private_key_pem: str, common_name: str, validity_days: int) -> str:
    """A self-signed SHA-256 certificate for the key (a first certificate, or the renewal of one).

    Random 127-bit serial, ``CN=<common_name>`` as both subject and issuer, valid from now (less a little
    clock skew) for ``validity_days`` days.
    """
    if not isinstance(validity_days, int) or not 1 <= validity_days <= MAX_VALIDITY_DAYS:
        raise CredentialError(f"the certificate validity must be 1 to {MAX_VALIDITY_DAYS} days, not {validity_days!r}")
    if not common_name or len(common_name) > MAX_COMMON_NAME_LENGTH:
        raise CredentialError(
            f"the certificate common name must be 1 to {MAX_COMMON_NAME_LENGTH} characters, not {common_name!r}"
        )
    key = load_private_key(private_key_pem)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(secrets.token_bytes(16), "big") >> 1)
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + timedelta(days=validity_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def renew_certificate(private_key_pem: str, common_name: str, validity_days: int) -> str:
    """A new certificate from the SAME key (the guide's "期限切れの証明書の更新"): no key change, no outage."""
    return issue_certificate(private_key_pem, common_name, validity_days)


def load_certificate(certificate_pem: str) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(certificate_pem.encode())
    except (ValueError, UnicodeError):
        raise CredentialError("the certificate is not a PEM X.509 certificate (-----BEGIN CERTIFICATE-----)") from None


def certificate_info(certificate_pem: str, now: datetime | None = None) -> CertificateInfo:
    """Fingerprint, expiry, common name and days left of a PEM certificate."""
    certificate = load_certificate(certificate_pem)
    digest = certificate.fingerprint(hashes.SHA256()).hex().upper()
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    not_after = certificate.not_valid_after_utc
    return CertificateInfo(
        fingerprint_sha256=":".join(digest[i : i + 2] for i in range(0, len(digest), 2)),
        not_after=not_after.isoformat(),
        common_name=str(names[0].value) if names else "",
        days_left=(not_after - (now or datetime.now(UTC))).days,
    )


def fingerprint(certificate_pem: str | None) -> str:
    """``certificate SHA-256 AB:CD:...`` of a certificate, for one-line messages ("no certificate" when there is
    none): public, unlike the key."""
    if not certificate_pem:
        return "no certificate"
    return f"certificate SHA-256 {certificate_info(certificate_pem).fingerprint_sha256}"


def certificate_matches_key(private_key_pem: str, certificate_pem: str) -> bool:
    """Whether the certificate carries this key's public key (both must load; else CredentialError)."""
    key = load_private_key(private_key_pem)
    public_key = load_certificate(certificate_pem).public_key()
    return isinstance(public_key, rsa.RSAPublicKey) and public_key.public_numbers() == key.public_key().public_numbers()


def validate_key_pair(private_key_pem: str, certificate_pem: str | None = None) -> None:
    """The key is usable and, when given, the certificate is for this key (else Salesforce says "invalid assertion")."""
    load_private_key(private_key_pem)
    if certificate_pem is not None and not certificate_matches_key(private_key_pem, certificate_pem):
        raise CredentialError(
            "the certificate does not belong to the private key: use the certificate made from this key"
        )
