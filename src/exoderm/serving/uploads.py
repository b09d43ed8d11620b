"""Receiving an uploaded file: a bounded copy in a folder of the server's, under a safe name.

Both HTTP faces accept instrument exports; this is the one place that reads an upload. The
file is copied in chunks and refused as soon as it passes the limit, so a large upload
never fills memory or the disk; the name kept is the upload's base name when it is a
plain, short file name, and a generated one otherwise (``..``, empty, or over 120
characters), so a client's name can never reach outside the folder.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import UploadFile

from exoderm.errors import UserInputError

#: The largest instrument export accepted by upload (NanoSight summaries are < 1 MB).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
_PLAIN_NAME = re.compile(r"[\w][\w .+()-]{0,118}")


def safe_name(filename: str | None, default: str = "upload.txt") -> str:
    """The upload's base name if it is plain and short, else ``default`` with its suffix."""
    base = Path((filename or "").replace("\\", "/")).name
    if _PLAIN_NAME.fullmatch(base):
        return base
    suffix = Path(base).suffix if re.fullmatch(r"\.\w{1,10}", Path(base).suffix) else ""
    return Path(default).stem + (suffix or Path(default).suffix)


async def save_upload(
    upload: UploadFile,
    folder: Path,
    *,
    max_bytes: int = MAX_UPLOAD_BYTES,
    expected: str = "an instrument export",
) -> Path:
    """Copy ``upload`` into ``folder`` under :func:`safe_name`; refuse it past ``max_bytes``."""
    name = safe_name(upload.filename)
    target = folder / name
    size = 0
    with target.open("wb") as fh:
        while chunk := await upload.read(1 << 16):
            size += len(chunk)
            if size > max_bytes:
                raise UserInputError(
                    f"file is larger than {max_bytes >> 20} MB", file=name, expected=expected
                )
            fh.write(chunk)
    return target
