"""A digital signature on every certificate of analysis, checkable by whoever receives it.

A certificate travels: from the lab to the manufacturer, a customer, a regulator. Its
SHA-256 shows the content was not altered only to someone who trusts where the hash came
from; an Ed25519 signature (RFC 8032) shows who issued it to anyone holding the
installation's public key. Each signed version carries, inside its frozen content,
``digital_signature``: the algorithm, the key id (the first 16 hex digits of the SHA-256
of the raw public key) and the signature over the canonical JSON of the rest of the
content. ``exoderm qc coa-key`` prints the public key to hand to recipients; ``exoderm
qc coa-verify`` checks an exported certificate against it. The private key lives in the
key folder (``coa-signing.pem``, 0600) or the setting ``coa_signing_key``.

References
----------
.. [1] Josefsson, S. & Liusvaara, I. (2017). Edwards-Curve Digital Signature Algorithm
   (EdDSA). RFC 8032. doi:10.17487/RFC8032
.. [2] OWASP Foundation (2025). ASVS 5.0.0, V4.1.5 (per-message digital signatures for
   highly sensitive transactions that traverse several systems).
.. [3] 21 CFR Part 11 §11.70 (signature/record linking: signatures linked to their records
   so they cannot be excised, copied or transferred to falsify a record).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from exoderm.errors import UserInputError
from exoderm.settings import Settings, get_settings, private_folder

KEY_FILE = "coa-signing.pem"
FIELD = "digital_signature"
ALGORITHM = "Ed25519"


def _canonical(content: dict[str, Any]) -> bytes:
    unsigned = {k: v for k, v in content.items() if k != FIELD}
    return json.dumps(unsigned, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _create(path: Path) -> None:
    private_folder(path.parent)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process created it first; use theirs
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def signing_key(settings: Settings | None = None) -> Ed25519PrivateKey:
    """The installation's certificate-signing key: configured, or from (or created in)
    ``key_dir/coa-signing.pem``."""
    s = settings or get_settings()
    if s.coa_signing_key is not None:
        pem = s.coa_signing_key.get_secret_value().encode("ascii")
    else:
        path = s.key_dir / KEY_FILE
        if not path.exists():
            _create(path)
        pem = path.read_bytes()
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise UserInputError(
            "the certificate-signing key is not an Ed25519 key",
            field="coa_signing_key",
            expected="an Ed25519 private key in PEM (PKCS#8)",
        )
    return key


def key_id(public: Ed25519PublicKey) -> str:
    """The first 16 hex digits of the SHA-256 of the raw public key."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_pem(settings: Settings | None = None) -> str:
    """The public key to give recipients of certificates (PEM, SubjectPublicKeyInfo)."""
    public = signing_key(settings).public_key()
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem.decode("ascii")


def sign_content(content: dict[str, Any], settings: Settings | None = None) -> dict[str, str]:
    """The ``digital_signature`` entry for ``content`` (everything but that entry).

    Examples
    --------
    >>> entry = sign_content({"lot": "L-1", "decision": "release"})
    >>> entry["algorithm"], len(entry["key_id"])
    ('Ed25519', 16)
    """
    key = signing_key(settings)
    value = key.sign(_canonical(content))
    return {
        "algorithm": ALGORITHM,
        "key_id": key_id(key.public_key()),
        "value": base64.b64encode(value).decode("ascii"),
    }


def _public(pem: str) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise UserInputError(
            "the public key is not a PEM public key",
            field="public_key",
            expected="the PEM printed by 'exoderm qc coa-key'",
        ) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise UserInputError(
            "the public key is not an Ed25519 key",
            field="public_key",
            expected="the PEM printed by 'exoderm qc coa-key'",
        )
    return key


def verify_content(content: dict[str, Any], public_pem: str) -> tuple[bool, str]:
    """Whether ``content``'s digital signature holds under ``public_pem``, and why not.

    Parameters
    ----------
    content : dict
        A certificate's content as exported (``digital_signature`` included).
    public_pem : str
        The issuer's public key (PEM).

    Returns
    -------
    (bool, str)
        True and "valid", or False and what failed: no signature, another key, or content
        that is not what was signed.

    References
    ----------
    .. [1] Josefsson, S. & Liusvaara, I. (2017). RFC 8032, §5.1.7 (verify).
       doi:10.17487/RFC8032

    Examples
    --------
    >>> signed = {"lot": "L-1"} | {FIELD: sign_content({"lot": "L-1"})}
    >>> verify_content(signed, public_key_pem())
    (True, 'valid')
    >>> verify_content(signed | {"lot": "L-2"}, public_key_pem())
    (False, 'the content is not what was signed')
    """
    entry = content.get(FIELD)
    if not isinstance(entry, dict) or entry.get("algorithm") != ALGORITHM:
        return False, "the certificate carries no Ed25519 signature"
    public = _public(public_pem)
    if entry.get("key_id") != key_id(public):
        return False, f"signed with key {entry.get('key_id')}, not with key {key_id(public)}"
    try:
        signature = base64.b64decode(str(entry.get("value", "")), validate=True)
        public.verify(signature, _canonical(content))
    except (InvalidSignature, binascii.Error, ValueError):
        return False, "the content is not what was signed"
    return True, "valid"
