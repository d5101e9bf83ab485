"""Keys and certificates for the import tests, made at test time (the setup guide's openssl steps too)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tools.emulators.credentials import KeyPair

OPENSSL = shutil.which("openssl")


def pkcs1_pem(key_pair: KeyPair) -> str:
    """The key as ``BEGIN RSA PRIVATE KEY`` (what ``openssl rsa`` of OpenSSL 1.x writes)."""
    key = serialization.load_pem_private_key(key_pair.private_key_pem.encode(), password=None)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()


def encrypted_pem(key_pair: KeyPair, password: bytes = b"pass-phrase") -> str:
    """The guide's ``server.pass.key``: the key before ``openssl rsa -passin`` decrypted it."""
    key = serialization.load_pem_private_key(key_pair.private_key_pem.encode(), password=None)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(password)
    ).decode()


def ec_key_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def small_rsa_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - a key Salesforce must refuse
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def openssl_as_in_the_guide(directory: Path, password: str = "Passw0rd") -> tuple[Path, Path, Path]:  # noqa: S107
    """The setup guide's commands, verbatim but for -subj (no prompts) and -days: (server.pass.key,
    server.key, server.crt)."""
    assert OPENSSL
    pass_key, key, csr, crt = (
        directory / name for name in ("server.pass.key", "server.key", "server.csr", "server.crt")
    )

    def run(*args: str) -> None:
        subprocess.run([OPENSSL, *args], check=True, capture_output=True, cwd=directory)

    run("genpkey", "-des3", "-algorithm", "RSA", "-pass", f"pass:{password}", "-out", str(pass_key),
        "-pkeyopt", "rsa_keygen_bits:2048")  # fmt: skip
    run("rsa", "-passin", f"pass:{password}", "-in", str(pass_key), "-out", str(key))
    run("req", "-new", "-key", str(key), "-out", str(csr), "-subj", "/CN=server")
    run("x509", "-req", "-sha256", "-days", "365", "-in", str(csr), "-signkey", str(key), "-out", str(crt))
    return pass_key, key, crt
