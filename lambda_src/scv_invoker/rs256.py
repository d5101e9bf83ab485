"""RS256 JSON Web Tokens (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7515 and RFC 8017) in the standard library.

Why by hand: the JWT bearer assertion is the only thing the invoker signs, and PyJWT with cryptography was the
heaviest import on its sign-in path. A container that must mint a token spent most of its cold start importing
them, and Lambda's CPU share shrinks with the memory size, so the small sizes that cost least were the ones
where a mint came close to Connect's 8 s (benchmarks/RESULTS.md, the memory table). A PKCS#1 v1.5 signature is
one modular exponentiation of a fixed encoding; the key is two standard DER structures. Both are here, with:

- the private key in either PEM form OpenSSL writes: PKCS#8 (``BEGIN PRIVATE KEY``, what the seeder and
  ``openssl genrsa`` of OpenSSL 3 write) or PKCS#1 (``BEGIN RSA PRIVATE KEY``, older OpenSSL);
- the Chinese remainder theorem, as every RSA library signs;
- every signature checked with the public key before it is used, so a miscalculation can neither leak the
  key (a faulty CRT result factors the modulus) nor reach Salesforce.

tests/invoker/test_rs256.py proves that the signatures are byte for byte cryptography's, and that PyJWT
verifies the tokens. The deploy-time code (seeder, scvctl) keeps using cryptography to make and check keys.
"""

import base64
import binascii
import functools
import hashlib
import json
from typing import Any, NamedTuple

#: DER of AlgorithmIdentifier rsaEncryption (OID 1.2.840.113549.1.1.1, NULL parameters), in a PKCS#8 key
_RSA_ENCRYPTION = bytes.fromhex("300d06092a864886f70d0101010500")
#: DER prefix of DigestInfo for SHA-256, followed by the 32-byte digest (RFC 8017, section 9.2, note 1)
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
_HEADER = b'{"alg":"RS256","typ":"JWT"}'


class UnusableKey(ValueError):
    """The text is not an unencrypted RSA private key in PEM. The message never quotes the key."""


class RsaPrivateKey(NamedTuple):
    n: int
    e: int
    d: int
    p: int
    q: int
    dp: int
    dq: int
    qinv: int

    @property
    def size_bytes(self) -> int:
        return (self.n.bit_length() + 7) // 8


def encode(claims: dict[str, Any], private_key_pem: str) -> str:
    """The compact JWT of ``claims``, signed RS256 with the key (a UnusableKey if it is not a usable RSA key)."""
    signing_input = _b64url(_HEADER) + b"." + _b64url(json.dumps(claims, separators=(",", ":")).encode())
    signature = sign(signing_input, load_private_key(private_key_pem))
    return (signing_input + b"." + _b64url(signature)).decode("ascii")


def sign(message: bytes, key: RsaPrivateKey) -> bytes:
    """RSASSA-PKCS1-v1_5 signature of ``message`` with SHA-256, verified with the public key before it returns."""
    digest_info = _SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
    padding = key.size_bytes - len(digest_info) - 3
    if padding < 8:
        raise UnusableKey("the RSA key is too short to sign with SHA-256")
    encoded = int.from_bytes(b"\x00\x01" + b"\xff" * padding + b"\x00" + digest_info, "big")
    # Chinese remainder theorem (RFC 8017, section 5.1.2, 2.b)
    m1 = pow(encoded, key.dp, key.p)
    m2 = pow(encoded, key.dq, key.q)
    signature = m2 + ((key.qinv * (m1 - m2)) % key.p) * key.q
    if pow(signature, key.e, key.n) != encoded:
        raise UnusableKey("the RSA key's parts do not belong together (its signature does not verify)")
    return signature.to_bytes(key.size_bytes, "big")


@functools.lru_cache(maxsize=4)  # one key per org in use; a rotation brings a new one
def load_private_key(pem: str) -> RsaPrivateKey:
    """The RSA key of a PKCS#8 or PKCS#1 PEM text (unencrypted)."""
    label, der = _pem_body(pem)
    if label == "PRIVATE KEY":
        der = _pkcs8_rsa_key(der)
    elif label != "RSA PRIVATE KEY":
        raise UnusableKey(f"a PEM '{label}' block is not an unencrypted RSA private key")
    version, *numbers = _integers(_sequence(der))
    if version != 0 or len(numbers) != 8:
        raise UnusableKey("the RSA private key is not a two-prime PKCS#1 key")
    return RsaPrivateKey(*numbers)


def _pem_body(pem: str) -> tuple[str, bytes]:
    lines = [line.strip() for line in pem.strip().splitlines()]
    if len(lines) < 3 or not lines[0].startswith("-----BEGIN ") or not lines[0].endswith("-----"):
        raise UnusableKey("the text is not in PEM form (-----BEGIN ...-----)")
    label = lines[0][len("-----BEGIN ") : -len("-----")]
    if lines[-1] != f"-----END {label}-----":
        raise UnusableKey("the PEM block's END line does not match its BEGIN line")
    try:
        return label, base64.b64decode("".join(lines[1:-1]), validate=True)
    except binascii.Error:
        raise UnusableKey("the PEM block's body is not base64") from None


def _pkcs8_rsa_key(der: bytes) -> bytes:
    """The RSAPrivateKey inside a PKCS#8 PrivateKeyInfo (RFC 5208): version, algorithm, OCTET STRING."""
    body = _sequence(der)
    version, rest = _tlv(body, 0x02)
    if version != b"\x00" or not rest.startswith(_RSA_ENCRYPTION):
        raise UnusableKey("the PKCS#8 key is not a version 0 RSA key")
    key, _ = _tlv(rest[len(_RSA_ENCRYPTION) :], 0x04)
    return key


def _sequence(der: bytes) -> bytes:
    content, trailing = _tlv(der, 0x30)
    if trailing:
        raise UnusableKey("unexpected bytes after the key's DER structure")
    return content


def _integers(content: bytes) -> list[int]:
    numbers = []
    while content:
        value, content = _tlv(content, 0x02)
        numbers.append(int.from_bytes(value, "big", signed=True))
    return numbers


def _tlv(der: bytes, tag: int) -> tuple[bytes, bytes]:
    """(content, what follows) of the DER element at the start of ``der``, which must carry ``tag``."""
    if len(der) < 2 or der[0] != tag:
        raise UnusableKey("the key's DER structure is not what an RSA private key holds")
    length, start = der[1], 2
    if length & 0x80:  # long form: the next (length & 0x7f) bytes hold the length
        count = length & 0x7F
        if not 1 <= count <= 4 or len(der) < 2 + count:
            raise UnusableKey("the key's DER structure has an invalid length")
        length, start = int.from_bytes(der[2 : 2 + count], "big"), 2 + count
    if len(der) < start + length:
        raise UnusableKey("the key's DER structure is cut short")
    return der[start : start + length], der[start + length :]


def _b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")
