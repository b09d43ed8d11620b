"""The markets exoderm knows: one vocabulary for design, claims, clients and screening.

A market is where a product is supplied; it decides which cosmetic and medicinal
product law applies and which claims are lawful. Every capability takes a
:class:`Market`; none keeps its own list of market codes.

References
----------
.. [1] Regulation (EC) No 1223/2009 of the European Parliament and of the Council of
   30 November 2009 on cosmetic products. OJ L 342, 22.12.2009, p. 59.
.. [2] The Cosmetic Products Enforcement Regulations 2013 (SI 2013/1478), and Regulation
   (EC) No 1223/2009 as retained in UK law (Schedule 34, Product Safety and Metrology
   etc. (Amendment etc.) (EU Exit) Regulations 2019, SI 2019/696).
.. [3] Federal Food, Drug, and Cosmetic Act, 21 U.S.C. §321(g)(1) and (i).
.. [4] Cosmetics Act of the Republic of Korea (Act No. 17250, amended 2020).
.. [5] Regulations on the Supervision and Administration of Cosmetics, State Council of
   the People's Republic of China, Decree No. 727 (2020).
.. [6] Foodstuffs, Cosmetics and Disinfectants Act 54 of 1972 (South Africa).
.. [7] Food and Drugs Act (R.S.C. 1985, c. F-27) and Cosmetic Regulations (C.R.C., c. 869)
   (Canada).
.. [8] Act on Securing Quality, Efficacy and Safety of Products Including
   Pharmaceuticals and Medical Devices (PMD Act, Act No. 145 of 1960), Art. 2(3) (Japan).
.. [9] Cosmetic Hygiene and Safety Act (化粧品衛生安全管理法, amended 2018) (Taiwan).

Examples
--------
>>> Market.parse("uk")
<Market.UK: 'UK'>
>>> Market.UK.law
'UK Cosmetics Regulation (retained Regulation (EC) No 1223/2009, SI 2019/696 Schedule 34)'
"""

from __future__ import annotations

import enum

from exoderm.errors import UserInputError


class Market(enum.StrEnum):
    """A market by its ISO 3166 code (EU for the European Union)."""

    EU = "EU"
    UK = "UK"
    US = "US"
    KR = "KR"
    CN = "CN"
    ZA = "ZA"
    CA = "CA"
    JP = "JP"
    TW = "TW"

    @property
    def law(self) -> str:
        """The cosmetic product law that applies in this market."""
        return _LAW[self]

    @classmethod
    def parse(cls, text: str, *, field: str = "market") -> Market:
        """The market named by ``text`` (any case); a clear error names the known ones.

        Examples
        --------
        >>> Market.parse(" eu ")
        <Market.EU: 'EU'>
        """
        try:
            return cls(text.strip().upper())
        except ValueError:
            raise UserInputError(
                f"unknown market {text!r}", field=field, expected=", ".join(m.value for m in cls)
            ) from None


_LAW: dict[Market, str] = {
    Market.EU: "Regulation (EC) No 1223/2009",
    Market.UK: "UK Cosmetics Regulation (retained Regulation (EC) No 1223/2009, "
    "SI 2019/696 Schedule 34)",
    Market.US: "Federal Food, Drug, and Cosmetic Act (21 U.S.C. 321)",
    Market.KR: "Cosmetics Act of the Republic of Korea",
    Market.CN: "Cosmetic Supervision and Administration Regulation (State Council Decree 727)",
    Market.ZA: "Foodstuffs, Cosmetics and Disinfectants Act 54 of 1972",
    Market.CA: "Food and Drugs Act (R.S.C. 1985, c. F-27) and Cosmetic Regulations",
    Market.JP: "PMD Act (Act No. 145 of 1960) Art. 2(3) and the Standards for Cosmetics",
    Market.TW: "Cosmetic Hygiene and Safety Act (amended 2018)",
}
