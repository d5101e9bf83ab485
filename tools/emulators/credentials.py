"""RSA keys and self-signed certificates made at run time: no key material is ever committed.

The shape matches what the seeder produces and Salesforce expects: a PKCS#8 PEM private key (the
secret document's format) and an X.509 certificate to upload to the connected app.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class KeyPair:
    """A private key and the self-signed certificate of its public key, both PEM."""

    private_key_pem: str
    certificate_pem: str


def generate_key_pair(common_name: str = "scv-salesforce-test", *, days: int = 30) -> KeyPair:
    """A 2048-bit RSA key (what Salesforce accepts for RS256) and a certificate valid from a minute ago."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return KeyPair(private_pem.decode(), certificate.public_bytes(serialization.Encoding.PEM).decode())
