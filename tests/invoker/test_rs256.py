"""The invoker's standard-library RS256 signer against the field's libraries: cryptography must produce the same
bytes for the same key and message (PKCS#1 v1.5 signatures are deterministic), and PyJWT must verify the tokens.
Keys that cannot sign are refused with a reason that never quotes the key."""

from __future__ import annotations

import base64
import dataclasses

import jwt
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from scv_invoker import rs256

CLAIMS = {"iss": "3MVG9-consumer-key", "sub": "integration.user@example.com", "aud": "https://login.salesforce.com"}


@dataclasses.dataclass(frozen=True)
class Key:
    private: rsa.RSAPrivateKey

    def pem(self, form: serialization.PrivateFormat) -> str:
        return self.private.private_bytes(serialization.Encoding.PEM, form, serialization.NoEncryption()).decode()


@pytest.fixture(scope="module", params=[2048, 3072, 4096], ids=lambda bits: f"{bits}-bit")
def key(request: pytest.FixtureRequest) -> Key:
    return Key(rsa.generate_private_key(public_exponent=65537, key_size=request.param))


FORMS = {"PKCS#8": serialization.PrivateFormat.PKCS8, "PKCS#1": serialization.PrivateFormat.TraditionalOpenSSL}


@pytest.mark.parametrize("form", FORMS.values(), ids=FORMS.keys())
def test_signatures_are_byte_for_byte_those_of_cryptography(key: Key, form: serialization.PrivateFormat) -> None:
    message = b"header.claims"
    expected = key.private.sign(message, padding.PKCS1v15(), hashes.SHA256())
    assert rs256.sign(message, rs256.load_private_key(key.pem(form))) == expected


@pytest.mark.parametrize("form", FORMS.values(), ids=FORMS.keys())
def test_pyjwt_verifies_the_token_and_reads_the_claims(key: Key, form: serialization.PrivateFormat) -> None:
    token = rs256.encode(CLAIMS, key.pem(form))
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "typ": "JWT"}
    decoded = jwt.decode(token, key.private.public_key(), algorithms=["RS256"], audience=CLAIMS["aud"])
    assert decoded == CLAIMS


def test_the_token_is_what_pyjwt_writes_for_the_same_claims(key: Key) -> None:
    pem = key.pem(serialization.PrivateFormat.PKCS8)
    assert rs256.encode(CLAIMS, pem) == jwt.encode(CLAIMS, pem, algorithm="RS256")


def _refusal(pem: str) -> str:
    with pytest.raises(rs256.UnusableKey) as refused:
        rs256.encode(CLAIMS, pem)
    return str(refused.value)


def test_a_key_whose_parts_do_not_belong_together_is_refused_not_used() -> None:
    """A wrong CRT part would give a signature that reveals the key's factors: it never leaves the signer."""
    numbers = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_numbers()
    broken = rsa.RSAPrivateNumbers(
        p=numbers.p, q=numbers.q, d=numbers.d, dmp1=numbers.dmp1 ^ 2, dmq1=numbers.dmq1,
        iqmp=numbers.iqmp, public_numbers=numbers.public_numbers,
    )  # fmt: skip
    pem = Key(broken.private_key(unsafe_skip_rsa_key_validation=True)).pem(serialization.PrivateFormat.PKCS8)
    assert "do not belong together" in _refusal(pem)


def test_encrypted_and_non_rsa_keys_are_refused_by_what_they_are() -> None:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    encrypted = rsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"pw")
    ).decode()
    assert "'ENCRYPTED PRIVATE KEY' block is not an unencrypted RSA private key" in _refusal(encrypted)
    ec_key = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    assert "not a version 0 RSA key" in _refusal(ec_key.decode())


@pytest.mark.parametrize(
    "text, reason",
    [
        ("not a key", "not in PEM form"),
        ("-----BEGIN PRIVATE KEY-----\nnope!\n-----END PRIVATE KEY-----", "not base64"),
        ("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----", "END line does not match"),
        ("-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----", "not a version 0 RSA key"),
    ],
)
def test_malformed_text_is_refused_with_its_reason(text: str, reason: str) -> None:
    assert reason in _refusal(text)


def test_a_cut_key_is_refused_and_the_reason_quotes_none_of_it() -> None:
    pem = Key(rsa.generate_private_key(public_exponent=65537, key_size=2048)).pem(serialization.PrivateFormat.PKCS8)
    lines = pem.strip().splitlines()
    body = base64.b64decode("".join(lines[1:-1]))[:600]
    cut = "\n".join([lines[0], base64.b64encode(body).decode(), lines[-1]])
    reason = _refusal(cut)
    assert "cut short" in reason
    assert not any(line in reason for line in lines[1:-1])
