"""Cryptographic discovery (ASVS 5.0 V11.1.3): every source file that uses a cryptographic
module is named in the cryptographic inventory of docs/security.md (V11.1.4)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "exoderm"
CRYPTO_IMPORT = re.compile(
    r"^\s*(import|from)\s+(hashlib|hmac|secrets|cryptography|argon2|itsdangerous|pyotp|"
    r"webauthn)\b",
    re.MULTILINE,
)


def _inventory() -> str:
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    start = text.index("## Cryptographic inventory")
    return text[start : text.index("\n## ", start + 1)]


def test_every_use_of_cryptography_is_in_the_inventory() -> None:
    inventory = _inventory()
    users = sorted(
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if CRYPTO_IMPORT.search(path.read_text(encoding="utf-8"))
    )
    assert len(users) >= 20  # the discovery finds what is there
    missing = [u for u in users if f"`{u}`" not in inventory]
    assert not missing, f"cryptography used but not in the inventory: {missing}"
    rows = "\n".join(line for line in inventory.splitlines() if line.startswith("|"))
    named = set(re.findall(r"`([a-z_/]+\.py)`", rows))
    stale = sorted(n for n in named if not (PACKAGE / n).exists())
    assert not stale, f"the inventory names files that do not exist: {stale}"
