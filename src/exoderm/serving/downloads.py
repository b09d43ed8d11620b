"""``Content-Disposition`` for downloads, encoded per RFC 6266 so that no file name (a lot
number, a pseudonym, a user's title) can break the header or inject another one."""

from __future__ import annotations

import re
from urllib.parse import quote

_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]")


def attachment(filename: str) -> dict[str, str]:
    """The header that offers ``filename`` as a download.

    Parameters
    ----------
    filename : str
        The name to propose; any character.

    Returns
    -------
    dict of str to str
        ``{"Content-Disposition": ...}`` with an ASCII ``filename`` (unsafe characters as
        ``_``) and the exact name as ``filename*`` in UTF-8 percent-encoding.

    References
    ----------
    .. [1] Reschke, J. (2011). Use of the Content-Disposition Header Field in HTTP.
       RFC 6266, §4.3 and Appendix D. doi:10.17487/RFC6266
    .. [2] OWASP (2025). ASVS 5.0.0, V5.4.1 and V5.4.2.

    Examples
    --------
    >>> print(attachment('coa-L"1 ü.pdf')["Content-Disposition"])
    attachment; filename="coa-L_1 _.pdf"; filename*=UTF-8''coa-L%221%20%C3%BC.pdf
    """
    fallback = _UNSAFE.sub("_", filename) or "download"
    encoded = quote(filename, safe="")
    value = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
    return {"Content-Disposition": value}
