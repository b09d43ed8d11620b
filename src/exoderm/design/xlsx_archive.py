"""Bounds on an XLSX workbook's zip archive, checked before a parser opens it.

Why: an XLSX file is a zip archive of XML parts (ECMA-376 Part 2, Open Packaging
Conventions). A file within the upload limit can declare gigabytes of XML (a
decompression bomb) or tens of thousands of parts, which the workbook parser would then
inflate. The archive's central directory states each part's uncompressed size, and
Python's ``zipfile`` stops a part at its stated size (a larger stream fails its CRC
check), so summing the stated sizes bounds what parsing can inflate (OWASP ASVS 5.0,
V5.2.3).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from exoderm.errors import UserInputError

#: Most bytes the parts of one workbook may inflate to in all.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
#: Most parts (zip members) one workbook may hold.
MAX_PARTS = 2_000


def check_xlsx_archive(
    path: Path, *, max_unpacked: int = MAX_UNPACKED_BYTES, max_parts: int = MAX_PARTS
) -> None:
    """Refuse a workbook whose archive would inflate too far or holds too many parts.

    Parameters
    ----------
    path : Path
        The XLSX file.
    max_unpacked : int
        Most bytes all parts may inflate to.
    max_parts : int
        Most parts the archive may hold.

    Raises
    ------
    UserInputError
        Not a zip archive, too many parts, or too large once inflated; the message names
        the file and the limit.

    References
    ----------
    .. [1] ECMA International (2021). ECMA-376 Office Open XML File Formats, Part 2:
       Open Packaging Conventions, 5th edition.
    .. [2] OWASP Foundation (2025). Application Security Verification Standard 5.0,
       requirement 5.2.3 (compressed files checked against uncompressed size and
       number of files before extraction).

    Examples
    --------
    >>> import tempfile, zipfile
    >>> p = Path(tempfile.mkdtemp()) / "book.xlsx"
    >>> with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
    ...     z.writestr("xl/worksheets/sheet1.xml", "<sheetData/>" * 1000)
    >>> check_xlsx_archive(p)
    >>> try:
    ...     check_xlsx_archive(p, max_unpacked=1000)
    ... except UserInputError as exc:
    ...     print(exc.problem.message, "/", exc.problem.expected)
    the workbook inflates to 12000 bytes / at most 1000 bytes once unzipped
    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise UserInputError(
            f"not a readable XLSX workbook ({exc})", file=path, expected="an .xlsx file"
        ) from exc
    if len(parts) > max_parts:
        raise UserInputError(
            f"the workbook holds {len(parts)} parts",
            file=path,
            expected=f"at most {max_parts} parts",
        )
    unpacked = sum(part.file_size for part in parts)
    if unpacked > max_unpacked:
        raise UserInputError(
            f"the workbook inflates to {unpacked} bytes",
            file=path,
            expected=f"at most {max_unpacked} bytes once unzipped",
        )
