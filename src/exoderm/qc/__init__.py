"""Quality control of EV batches: batch records, instrument imports, MISEV checks,
release decisions, certificates of analysis and trends across lots.

Public API (others call these):

- :class:`ParticleMeasurement`, :class:`SizeBin`, :class:`Replicate` — one measurement model
  for NTA, TRPS, flow and DLS.
- :func:`record_measurement` — attach a measurement to a batch (used by the NTA engine).
- :class:`BatchRecord`, :func:`create_batch`, :func:`get_batch`, :func:`list_batches`,
  :func:`measurements_for`.
"""

from exoderm.qc.batch import BatchRecord, MarkerResult
from exoderm.qc.measurement import ParticleMeasurement, Replicate, SizeBin, SizeSummary
from exoderm.qc.repository import (
    StoredMeasurement,
    batch_record,
    create_batch,
    get_batch,
    list_batches,
    measurements_for,
    parse_batch_record,
    record_measurement,
)

__all__ = [
    "BatchRecord",
    "MarkerResult",
    "ParticleMeasurement",
    "Replicate",
    "SizeBin",
    "SizeSummary",
    "StoredMeasurement",
    "batch_record",
    "create_batch",
    "get_batch",
    "list_batches",
    "measurements_for",
    "parse_batch_record",
    "record_measurement",
]
