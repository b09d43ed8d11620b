"""Upload names never reach outside the server's folder, and uploads are bounded."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from fastapi import UploadFile

from exoderm.errors import UserInputError
from exoderm.serving.uploads import safe_name, save_upload


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("ExperimentSummary.csv", "ExperimentSummary.csv"),
        ("../../etc/passwd", "passwd"),
        ("..", "upload.txt"),
        ("", "upload.txt"),
        (None, "upload.txt"),
        ("C:\\Users\\ana\\beads.csv", "beads.csv"),
        ("x" * 300 + ".csv", "upload.csv"),
        (".hidden", "upload.txt"),
    ],
)
def test_safe_name(given: str | None, kept: str) -> None:
    assert safe_name(given) == kept


def test_upload_over_the_limit_is_refused(tmp_path: Path) -> None:
    upload = UploadFile(io.BytesIO(b"x" * 5000), filename="big.csv")
    with pytest.raises(UserInputError, match="larger than"):
        asyncio.run(save_upload(upload, tmp_path, max_bytes=4096))


def test_upload_is_saved_under_its_safe_name(tmp_path: Path) -> None:
    upload = UploadFile(io.BytesIO(b"a,b\n1,2\n"), filename="../x.csv")
    saved = asyncio.run(save_upload(upload, tmp_path))
    assert saved == tmp_path / "x.csv" and saved.read_bytes() == b"a,b\n1,2\n"
