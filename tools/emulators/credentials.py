"""Keys and self-signed certificates made at run time: no key material is ever committed.

:func:`generate_key_pair` has the shape the seeder produces and Salesforce expects: a PKCS#8 PEM private key
(the secret document's format) and an X.509 certificate to upload to the connected app.
:func:`generate_tls_certificate` is an emulator's server certificate for its TLS mode.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class KeyPair:
    """A private key and the self-signed certificate of its public key, both PEM."""

    private_key_pem: str
    certificate_pem: str


def generate_key_pair(common_name: str = "scv-salesforce-test", *, days: int = 30) -> KeyPair:
    """A 2048-bit RSA key (what Salesforce accepts for RS256) and a certificate valid from a minute ago."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = _self_signed(key, common_name, days).sign(key, hashes.SHA256())
    return _pem_pair(key, certificate)


def _self_signed(
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, common_name: str, days: int
) -> x509.CertificateBuilder:
    """A certificate builder for ``key``'s own certificate, valid from a minute ago for ``days``."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=days))
    )


def generate_tls_certificate(common_name: str = "emulator.localhost", *, days: int = 30) -> KeyPair:
    """A certificate for ``127.0.0.1`` and ``localhost`` that is its own CA, so its PEM is the whole CA bundle.

    It carries what strict verification asks of a trust anchor (Python 3.13 and urllib3 2.3+ set
    ``VERIFY_X509_STRICT``): critical basic constraints and key usage, subject and authority key ids. An EC key,
    because it is made at every start and RSA's key generation is the slow part.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    hosts = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.IPv4Address("127.0.0.1"))]
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    certificate = (
        _self_signed(key, common_name, days)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(hosts), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return _pem_pair(key, certificate)


def _pem_pair(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, certificate: x509.Certificate) -> KeyPair:
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return KeyPair(private_pem.decode(), certificate.public_bytes(serialization.Encoding.PEM).decode())
