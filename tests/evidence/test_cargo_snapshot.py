"""The real harmonised snapshot, imported whole, and queries checked against answers read
independently from the file with pyarrow.

The file is ``data/unified_EVmetadata.parquet`` of EVisionary (github.com/Sogandste/EVisionary,
commit 7f9044cd44e25645bcc57be613e3da83762355e9, 2026-04-21; MIT licence), built from
dated exports of Vesiclepedia, ExoCarta and EV-TRACK: 300,578 rows.
"""

from __future__ import annotations

import time

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Role
from exoderm.evidence import service as evidence
from exoderm.evidence.cargo import CargoRow
from exoderm.storage import Database
from tests.shared import SHARED_DATA, needs

SNAPSHOT = SHARED_DATA / "ev_cargo" / "unified_EVmetadata.parquet"
SHA256 = "ed966d48bb3d42af5d6d73f7eb2aaf1ab8e52c40b38fb66cc7efed8324adfa06"
ADIPOSE_SAMPLES = {
    "Adipose tissue-derived stem cells",
    "Adipose-derived mesenchymal stem cells",
    "Adipose progenitor cells",
}

pytestmark = [pytest.mark.slow, needs(SNAPSHOT)]


def _pmids(table: pa.Table) -> list[str]:
    return sorted(set(table.column("pmid").to_pylist()), key=int)


def test_the_snapshot_imports_whole_and_answers_like_the_file(sqlite_db: Database) -> None:
    sam, viewer = Actor("sam", Role.scientist), Actor("vic", Role.viewer, organisation_id=1)
    started = time.perf_counter()
    with sqlite_db.transaction() as s:
        done = evidence.import_cargo(s, sam, path=SNAPSHOT)
    seconds = time.perf_counter() - started
    assert (done.rows, done.sha256, done.already_imported) == (300_578, SHA256, False)
    assert seconds < 60
    with sqlite_db.transaction() as s:
        assert evidence.import_cargo(s, sam, path=SNAPSHOT).already_imported
    with sqlite_db.reader() as s:
        assert s.scalar(select(func.count()).select_from(CargoRow)) == 300_578

    # independently, from the file: TIMP1 in keratinocyte EVs, and all adipose-MSC cargo
    table = pq.read_table(SNAPSHOT, columns=["working_id", "sample_name", "pmid"])
    symbol = pc.utf8_upper(pc.utf8_trim_whitespace(table.column("working_id")))
    sample = pc.utf8_trim_whitespace(table.column("sample_name"))
    keratinocyte_timp1 = table.filter(
        pc.and_(pc.equal(symbol, "TIMP1"), pc.equal(sample, "Keratinocytes"))
    )
    adipose = table.filter(pc.is_in(sample, value_set=pc.cast(list(ADIPOSE_SAMPLES), "string")))
    adipose_symbols = set(
        pc.utf8_upper(pc.utf8_trim_whitespace(adipose.column("working_id"))).to_pylist()
    )

    with sqlite_db.reader() as s:
        carriers = {c.node_id: c for c in evidence.cargo_carriers(s, viewer, molecule="TIMP1")}
        detected = evidence.cargo_in_source(s, viewer, source="adipose-msc")
    assert carriers["source:keratinocyte"].pmids == _pmids(keratinocyte_timp1)
    assert carriers["source:keratinocyte"].rows == keratinocyte_timp1.num_rows
    assert {d.molecule for d in detected} == adipose_symbols - {"UNKNOWN"}
    assert sorted({p for d in detected for p in d.pmids}, key=int) == _pmids(
        adipose.filter(pc.not_equal(adipose.column("working_id"), "Unknown"))
    )
