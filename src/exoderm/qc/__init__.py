"""Quality control of EV batches: batch records, instrument imports, MISEV checks,
release decisions, certificates of analysis and trends across lots.

The faces (CLI, API, web pages) call :mod:`exoderm.qc.service`; its functions take the
session and the acting user, fence by organisation and return the Read models of
:mod:`exoderm.qc.results`. Public names here (others call these too):

- :class:`ParticleMeasurement`, :class:`SizeBin`, :class:`Replicate` — one measurement model
  for NTA, TRPS, flow and DLS.
- :class:`BatchRecord`, :func:`parse_batch_record`, :func:`parse_batch_text`,
  :func:`load_batch_file` — a batch record, validated at the edge.
- :class:`Spec`, :func:`load_spec` (by name), :func:`load_spec_file` (an operator's own
  file), :func:`packaged_specs` — release specification sheets.
- :data:`FORMATS` — the instrument export formats :func:`exoderm.qc.service.import_measurements`
  reads; :class:`ControlChart`, :func:`control_chart_png` — trend charts.
- :func:`record_measurement`, :func:`create_batch`, :func:`get_batch`, :func:`list_batches`,
  :func:`measurements_for` — the storage layer under the service (an ``actor`` fences them).
"""

from exoderm.qc.batch import BatchRecord, MarkerResult
from exoderm.qc.batch_file import load_batch_file, parse_batch_text
from exoderm.qc.importers import FORMATS
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
from exoderm.qc.results import (
    BatchRead,
    BatchSummary,
    CertificateDocument,
    CertificateDraft,
    CertificateRead,
    ChecklistItemRead,
    CriterionRead,
    DecisionRead,
    EvMetricRead,
    MeasurementRead,
)
from exoderm.qc.specs import DEFAULT_SPEC, Spec, load_spec, load_spec_file, packaged_specs
from exoderm.qc.trends import ChartPoint, ControlChart, control_chart_png

__all__ = [
    "DEFAULT_SPEC",
    "FORMATS",
    "BatchRead",
    "BatchRecord",
    "BatchSummary",
    "CertificateDocument",
    "CertificateDraft",
    "CertificateRead",
    "ChartPoint",
    "ChecklistItemRead",
    "ControlChart",
    "CriterionRead",
    "DecisionRead",
    "EvMetricRead",
    "MarkerResult",
    "MeasurementRead",
    "ParticleMeasurement",
    "Replicate",
    "SizeBin",
    "SizeSummary",
    "Spec",
    "StoredMeasurement",
    "batch_record",
    "control_chart_png",
    "create_batch",
    "get_batch",
    "list_batches",
    "load_batch_file",
    "load_spec",
    "load_spec_file",
    "measurements_for",
    "packaged_specs",
    "parse_batch_record",
    "parse_batch_text",
    "record_measurement",
]
