"""A small, valid batch record for examples and doctests (it passes the default spec's
identity, safety and checklist items that do not need a particle measurement)."""

from __future__ import annotations

from exoderm.qc.batch import BatchRecord


def example_record(lot: str = "L-1", product: str = "Serum A") -> BatchRecord:
    """A batch record of a UC-MSC EV lot separated by differential ultracentrifugation.

    Examples
    --------
    >>> example_record("L-7").lot
    'L-7'
    """
    return BatchRecord.model_validate(
        {
            "product": product,
            "lot": lot,
            "source": {"kind": "cell", "species": "human", "cell_type": "UC-MSC", "passage": 4},
            "separation": ["differential ultracentrifugation"],
            "storage": {"temperature_c": -80, "buffer": "PBS", "freeze_thaw_cycles": 0},
            "protein": {"method": "BCA", "ug_per_ml": 50},
            "markers": [
                {"protein": "CD63", "present": True},
                {"protein": "CD81", "present": True},
                {"protein": "TSG101", "present": True},
                {"protein": "CANX", "present": False},
            ],
            "imaging": [{"method": "TEM", "wide_field": True, "close_up": True}],
            "safety": {
                "sterility": "negative",
                "endotoxin_eu_per_ml": 0.1,
                "mycoplasma": "negative",
            },
        }
    )


__all__ = ["example_record"]
