"""The table of tests on a certificate of analysis: test, method, unit, limit, result, verdict.

ICH Q7 (2000) §11.42 asks a certificate to list each test performed with its acceptance
limits and the numerical results. Each row here names the analytical procedure used for
the lot (the method recorded with the batch where known, else the specification's), the
standard that defines it, the unit of the result, the limit of the specification and
the verdict. Internal review markers (``[U]``, ``[S]``, ``[V]``) never reach a
certificate (:func:`clean_text`).
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from exoderm.qc.decision import COUNTER_ATTRIBUTES, CriterionResult, ReleaseDecision
from exoderm.qc.facts import BatchFacts
from exoderm.qc.specs import Criterion, Spec

#: The standard that defines each particle method (ISO 19430:2016 particle tracking
#: analysis; ISO 22412:2017 dynamic light scattering; MIFlowCyt-EV, Welsh et al. 2020,
#: doi:10.1080/20013078.2020.1713526).
METHOD_STANDARDS: dict[str, str] = {
    "NTA": "ISO 19430:2016",
    "DLS": "ISO 22412:2017",
    "flow": "MIFlowCyt-EV (Welsh et al. 2020, doi:10.1080/20013078.2020.1713526)",
}
METHOD_NAMES: dict[str, str] = {
    "NTA": "Nanoparticle tracking analysis",
    "DLS": "Dynamic light scattering",
    "TRPS": "Tunable resistive pulse sensing",
    "flow": "Flow cytometry",
    "ELS": "Electrophoretic light scattering",
}
#: How each verdict reads in the pass/fail column.
VERDICT_TEXT: dict[str, str] = {
    "pass": "pass",
    "fail": "fail",
    "review": "review",
    "info": "reported",
    "n/a": "not applicable",
}
QUALITATIVE = "qualitative"
MARKER_KINDS = frozenset({"markers_present", "markers_absent"})
_MARKERS = re.compile(r"\s*\[(?:U|S|V)\]:?")


class CoaLine(BaseModel):
    """One test as printed on the certificate."""

    test: str
    method: str
    reference: str
    unit: str
    specification: str
    result: str
    verdict: str


def clean_text(text: str) -> str:
    """``text`` without internal review markers.

    Examples
    --------
    >>> clean_text("tiers [U]: verify; mode [S] 120 nm")
    'tiers verify; mode 120 nm'
    """
    return _MARKERS.sub("", text).strip()


def _unit(c: Criterion, facts: BatchFacts) -> str:
    if c.unit == "fraction":
        return "% of particles"
    if c.unit:
        return c.unit
    if c.attribute == "potency_value" and facts.record.potency is not None:
        return facts.record.potency.unit or "not recorded"
    return QUALITATIVE


def _method(c: Criterion, facts: BatchFacts) -> tuple[str, str]:
    """The method used for the lot and its reference (the spec's where nothing is recorded)."""
    name = c.method or "as recorded in the batch record"
    reference = c.method_reference or clean_text(c.source)
    m, record = facts.counter, facts.record
    if m is not None and c.attribute in COUNTER_ATTRIBUTES:
        name = f"{METHOD_NAMES.get(m.method, m.method)}, {m.instrument}"
        reference = METHOD_STANDARDS.get(m.method, reference)
    if c.attribute == "particles_per_ug_protein" and record.protein is not None:
        counted = METHOD_NAMES.get(m.method, m.method) if m is not None else "particle count"
        name = f"{counted} per total protein ({record.protein.method})"
        reference = c.method_reference or reference
    if c.kind in MARKER_KINDS and record.markers:
        name = "EV protein markers (" + ", ".join(sorted({k.method for k in record.markers})) + ")"
    if c.attribute == "potency_value" and record.potency is not None:
        name = f"{record.potency.assay}: {record.potency.readout}"
    return name, reference


def coa_lines(facts: BatchFacts, spec: Spec, decision: ReleaseDecision) -> list[CoaLine]:
    """Every criterion of ``decision`` as a certificate line, in the order of ``spec``.

    Parameters
    ----------
    facts : BatchFacts
        The batch the decision was made on.
    spec : Spec
        The specification the batch was tested against.
    decision : ReleaseDecision
        The decision (one result per criterion of ``spec``).

    Returns
    -------
    list of CoaLine
        One line per test with method, reference, unit, limit, result and verdict.

    References
    ----------
    .. [1] ICH Q7 (2000). Good manufacturing practice guide for active pharmaceutical
       ingredients, §11.42 (each test, its acceptance limits and numerical results).
    .. [2] ISO 19430:2016. Particle size analysis: particle tracking analysis (PTA)
       method.

    Examples
    --------
    >>> from exoderm.qc.decision import evaluate
    >>> from exoderm.qc.examples import example_record
    >>> from exoderm.qc.specs import load_spec
    >>> from exoderm.qc.facts import gather
    >>> facts, spec = gather(example_record("L-1"), []), load_spec()
    >>> line = coa_lines(facts, spec, evaluate(facts, spec))[2]
    >>> line.test, line.reference, line.unit, line.specification
    ('Endotoxin', 'Ph. Eur. 2.6.14; USP <85>', 'EU/mL', '< 0.5 EU/mL')
    """
    by_id: dict[str, CriterionResult] = {r.id: r for r in decision.criteria}
    lines = []
    for c in spec.criteria:
        r = by_id[c.id]
        method, reference = _method(c, facts)
        lines.append(
            CoaLine(
                test=clean_text(c.title),
                method=clean_text(method),
                reference=clean_text(reference),
                unit=_unit(c, facts),
                specification=clean_text(r.limit) or "reported, no limit",
                result=clean_text(r.measured),
                verdict=VERDICT_TEXT[r.verdict],
            )
        )
    return lines


__all__ = ["METHOD_STANDARDS", "CoaLine", "clean_text", "coa_lines"]
