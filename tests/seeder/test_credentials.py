"""credentials.py: the guide's openssl steps in cryptography, and the checks that catch unusable keys."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.seeder.conftest import SeederCode

needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")


PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def pem(key: PrivateKey, fmt: serialization.PrivateFormat, password: bytes = b"") -> str:
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, fmt, encryption).decode()


def test_generated_keys_are_fresh_unencrypted_pkcs8_rsa_2048(seeder: SeederCode) -> None:
    one, two = seeder.credentials.generate_private_key(), seeder.credentials.generate_private_key()
    assert one != two
    assert one.startswith("-----BEGIN PRIVATE KEY-----\n")
    key = serialization.load_pem_private_key(one.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048 and key.public_key().public_numbers().e == 65537


def test_renewal_is_a_new_certificate_for_the_same_key(seeder: SeederCode) -> None:
    credentials = seeder.credentials
    key, first = credentials.generate_key_pair("Acme", 10)
    renewed = credentials.renew_certificate(key, "Acme", 20)
    credentials.validate_key_pair(key, renewed)
    a, b = x509.load_pem_x509_certificate(first.encode()), x509.load_pem_x509_certificate(renewed.encode())
    assert a.public_key().public_numbers() == b.public_key().public_numbers()  # type: ignore[union-attr]
    assert a.serial_number != b.serial_number and 0 < b.serial_number < 2**159
    assert b.not_valid_after_utc - a.not_valid_after_utc > timedelta(days=9)


def test_certificate_info(seeder: SeederCode) -> None:
    key, certificate = seeder.credentials.generate_key_pair("Acme SCV", 30)
    info = seeder.credentials.certificate_info(certificate)
    parsed = x509.load_pem_x509_certificate(certificate.encode())
    assert info.common_name == "Acme SCV"
    assert info.days_left in (29, 30)
    assert info.not_after == parsed.not_valid_after_utc.isoformat()
    assert info.fingerprint_sha256 == ":".join(f"{b:02X}" for b in parsed.fingerprint(hashes.SHA256()))
    later = seeder.credentials.certificate_info(certificate, datetime.now(UTC) + timedelta(days=40))
    assert later.days_left < 0


@needs_openssl
def test_openssl_agrees_with_the_certificate_and_its_fingerprint(seeder: SeederCode, tmp_path: Path) -> None:
    key, certificate = seeder.credentials.generate_key_pair("Acme SCV", 30)
    (tmp_path / "server.crt").write_text(certificate)
    (tmp_path / "server.key").write_text(key)
    printed = subprocess.run(
        ["openssl", "x509", "-in", "server.crt", "-noout", "-fingerprint", "-sha256", "-subject"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert seeder.credentials.certificate_info(certificate).fingerprint_sha256 in printed
    assert "CN = Acme SCV" in printed or "CN=Acme SCV" in printed
    verified = subprocess.run(
        ["openssl", "verify", "-CAfile", "server.crt", "-partial_chain", "server.crt"],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert verified.returncode == 0, verified.stdout + verified.stderr


@needs_openssl
def test_the_guides_openssl_key_is_refused_until_decrypted_then_accepted(seeder: SeederCode, tmp_path: Path) -> None:
    run = {"cwd": tmp_path, "capture_output": True, "check": True}
    subprocess.run(
        ["openssl", "genpkey", "-des3", "-algorithm", "RSA", "-pass", "pass:pw", "-out", "server.pass.key",
         "-pkeyopt", "rsa_keygen_bits:2048"], **run,
    )  # fmt: skip
    with pytest.raises(seeder.credentials.CredentialError, match=r"openssl rsa -in server\.pass\.key -out server\.key"):
        seeder.credentials.validate_key_pair((tmp_path / "server.pass.key").read_text())
    subprocess.run(["openssl", "rsa", "-passin", "pass:pw", "-in", "server.pass.key", "-out", "server.key"], **run)
    subprocess.run(["openssl", "req", "-new", "-key", "server.key", "-out", "server.csr", "-subj", "/CN=guide"], **run)
    subprocess.run(
        ["openssl", "x509", "-req", "-sha256", "-days", "30", "-in", "server.csr", "-signkey", "server.key",
         "-out", "server.crt"], **run,
    )  # fmt: skip
    key, certificate = (tmp_path / "server.key").read_text(), (tmp_path / "server.crt").read_text()
    seeder.credentials.validate_key_pair(key, certificate)
    renewed = seeder.credentials.renew_certificate(key, "guide", 30)  # the guide's renewal, same server.key
    seeder.credentials.validate_key_pair(key, renewed)


def test_a_pkcs1_key_is_accepted(seeder: SeederCode) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    seeder.credentials.validate_key_pair(pem(key, serialization.PrivateFormat.TraditionalOpenSSL))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: pem(ec.generate_private_key(ec.SECP256R1()), serialization.PrivateFormat.PKCS8), "not RSA"),
        (
            lambda: pem(rsa.generate_private_key(65537, 1024), serialization.PrivateFormat.PKCS8),  # noqa: S505
            "1024 bits; Salesforce needs at least 2048",
        ),
        (
            lambda: pem(rsa.generate_private_key(65537, 2048), serialization.PrivateFormat.PKCS8, b"pw"),
            r"encrypted: decrypt it first \(openssl rsa -in server\.pass\.key -out server\.key\)",
        ),
        (lambda: "not a key", "not a PEM private key"),
        (
            lambda: pem(rsa.generate_private_key(65537, 2048), serialization.PrivateFormat.PKCS8).replace("\n", "\\n"),
            "escaped twice",
        ),
    ],
    ids=["ec", "rsa-1024", "encrypted", "garbage", "double-escaped"],
)
def test_unusable_keys_are_refused_with_what_to_do(seeder: SeederCode, make: object, message: str) -> None:
    with pytest.raises(seeder.credentials.CredentialError, match=message):
        seeder.credentials.validate_key_pair(make())  # type: ignore[operator]


def test_a_certificate_of_another_key_is_refused(seeder: SeederCode) -> None:
    key, _ = seeder.credentials.generate_key_pair("a", 1)
    _, other = seeder.credentials.generate_key_pair("b", 1)
    with pytest.raises(seeder.credentials.CredentialError, match="does not belong to the private key"):
        seeder.credentials.validate_key_pair(key, other)
    assert not seeder.credentials.certificate_matches_key(key, other)


@pytest.mark.parametrize(("name", "days"), [("ok", 0), ("ok", 36501), ("ok", 10**9), ("", 30), ("x" * 65, 30)])
def test_bad_certificate_parameters_are_refused(seeder: SeederCode, name: str, days: int) -> None:
    key = seeder.credentials.generate_private_key()
    with pytest.raises(seeder.credentials.CredentialError):
        seeder.credentials.issue_certificate(key, name, days)


def test_the_public_key_fingerprint_names_the_key_not_the_certificate(seeder: SeederCode) -> None:
    key = seeder.credentials.generate_private_key()
    fingerprint = seeder.credentials.public_key_fingerprint(key)
    assert len(fingerprint) == 64 and fingerprint == seeder.credentials.public_key_fingerprint(key)
    assert fingerprint != seeder.credentials.public_key_fingerprint(seeder.credentials.generate_private_key())
