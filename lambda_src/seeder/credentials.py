"""The RSA key pair and self-signed certificate of the JWT bearer flow, without openssl.

Replaces the setup guide's ``openssl genpkey`` / ``req`` / ``x509 -req -sha256 -signkey`` steps: an
unencrypted PKCS#8 RSA-2048 key (what the guide's ``server.key`` ends up as) and a self-signed SHA-256
certificate for it, which is all Salesforce needs to verify the assertions. A renewal is a new
certificate for the same key, so the certificate in Salesforce can be replaced without an outage.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

KEY_SIZE = 2048
MIN_KEY_SIZE = 2048


class CredentialError(ValueError):
    """A key or certificate that cannot be used; the message says what to do."""


@dataclass(frozen=True)
class CertificateInfo:
    """What an administrator needs to know about a certificate (all of it public)."""

    fingerprint_sha256: str
    not_after: str
    common_name: str
    days_left: int


def generate_private_key() -> str:
    """A new RSA-2048 key as unencrypted PKCS#8 PEM (``-----BEGIN PRIVATE KEY-----``)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def load_private_key(private_key_pem: str) -> rsa.RSAPrivateKey:
    """The key, if it is an unencrypted RSA key of at least 2048 bits."""
    try:
        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    except TypeError:
        raise CredentialError(
            "the private key is encrypted: decrypt it first (openssl rsa -in server.pass.key -out server.key)"
        ) from None
    except ValueError:
        raise CredentialError("the private key is not a PEM private key (-----BEGIN PRIVATE KEY-----)") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CredentialError(
            f"the private key is {type(key).__name__.removesuffix('PrivateKey')}, not RSA: "
            "the JWT bearer flow signs with RS256"
        )
    if key.key_size < MIN_KEY_SIZE:
        raise CredentialError(f"the RSA key has {key.key_size} bits; Salesforce needs at least {MIN_KEY_SIZE}")
    return key


def issue_certificate(private_key_pem: str, common_name: str, validity_days: int) -> str:
    """A self-signed SHA-256 certificate for the key (a first certificate, or the renewal of one)."""
    key = load_private_key(private_key_pem)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(secrets.token_bytes(16), "big") >> 1)
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=validity_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def load_certificate(certificate_pem: str) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(certificate_pem.encode())
    except ValueError:
        raise CredentialError("the certificate is not a PEM X.509 certificate (-----BEGIN CERTIFICATE-----)") from None


def certificate_info(certificate_pem: str, now: datetime | None = None) -> CertificateInfo:
    certificate = load_certificate(certificate_pem)
    fingerprint = certificate.fingerprint(hashes.SHA256()).hex().upper()
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    not_after = certificate.not_valid_after_utc
    return CertificateInfo(
        fingerprint_sha256=":".join(fingerprint[i : i + 2] for i in range(0, len(fingerprint), 2)),
        not_after=not_after.isoformat(),
        common_name=str(names[0].value) if names else "",
        days_left=(not_after - (now or datetime.now(UTC))).days,
    )


def validate_key_pair(private_key_pem: str, certificate_pem: str | None = None) -> None:
    """The key is usable and, when given, the certificate is for this key (else Salesforce says "invalid assertion")."""
    key = load_private_key(private_key_pem)
    if certificate_pem is None:
        return
    public_key = load_certificate(certificate_pem).public_key()
    if not isinstance(public_key, rsa.RSAPublicKey) or public_key.public_numbers() != key.public_key().public_numbers():
        raise CredentialError(
            "the certificate does not belong to the private key: use the certificate made from this key"
        )
