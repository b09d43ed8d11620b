"""Assessment instruments, each with its published scoring rule, range and source.

``INSTRUMENTS`` maps a code (``easi``, ``dlqi``, …) to an :class:`Instrument`;
:func:`get_instrument` looks one up with a helpful error.
"""

from __future__ import annotations

from exoderm.clients.instruments import (
    devices,
    dlqi,
    easi,
    ecca,
    fitzpatrick,
    gais,
    glogau,
    lemperle,
    masi,
    posas,
    scorad,
    viga,
    vss,
)
from exoderm.clients.instruments.base import (
    Direction,
    Instrument,
    InstrumentInfo,
    InstrumentScore,
    Responder,
    area_grade,
)
from exoderm.errors import UserInputError

INSTRUMENTS: dict[str, Instrument] = {
    i.info.code: i
    for i in (
        easi.INSTRUMENT,
        scorad.INSTRUMENT,
        viga.INSTRUMENT,
        posas.OBSERVER,
        posas.PATIENT,
        vss.INSTRUMENT,
        ecca.INSTRUMENT,
        masi.MASI,
        masi.MMASI,
        glogau.INSTRUMENT,
        fitzpatrick.INSTRUMENT,
        gais.INSTRUMENT,
        lemperle.INSTRUMENT,
        dlqi.INSTRUMENT,
        devices.TEWL,
        devices.CORNEOMETER,
        devices.ELASTICITY,
    )
}


def get_instrument(code: str) -> Instrument:
    """The instrument called ``code`` (case-insensitive, '-' or '_')."""
    key = code.strip().lower().replace("-", "_")
    try:
        return INSTRUMENTS[key]
    except KeyError:
        raise UserInputError(
            f"unknown instrument {code!r}",
            field="instrument",
            expected="one of " + ", ".join(sorted(INSTRUMENTS)),
        ) from None


__all__ = [
    "INSTRUMENTS",
    "Direction",
    "Instrument",
    "InstrumentInfo",
    "InstrumentScore",
    "Responder",
    "area_grade",
    "get_instrument",
]
