"""Formula injection: text cells a spreadsheet would run as formulas, neutralised.

A cell of an exported CSV or TSV file that starts with ``=``, ``+``, ``-``, ``@``, a tab, a
carriage return or NUL is read by spreadsheet programs as a formula (OWASP, "CSV
Injection"); prefixing a single quote makes them show it as text. Numbers are left alone,
so "-1.5" stays a number.
"""

from __future__ import annotations

#: Characters a spreadsheet reads as the start of a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")


def spreadsheet_safe(cell: str) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula.

    Parameters
    ----------
    cell : str
        The cell's text.

    Returns
    -------
    str
        ``cell`` with a leading single quote when it starts like a formula and is not a
        number (negative numbers stay numbers).

    References
    ----------
    .. [1] OWASP (2025). ASVS 5.0.0, V1.2.10; OWASP CSV Injection.
    .. [2] Shafranovich, Y. (2005). RFC 4180, Common Format and MIME Type for CSV Files.

    Examples
    --------
    >>> print(spreadsheet_safe("=SUM(A1:A9)"), spreadsheet_safe("-1.5"), spreadsheet_safe("ok"))
    '=SUM(A1:A9) -1.5 ok
    """
    if not cell.startswith(_FORMULA_START):
        return cell
    try:
        float(cell)
    except ValueError:
        return "'" + cell
    return cell
