"""What the NTA service returns: :class:`NtaResultRead`, an analysis and where it was stored."""

from __future__ import annotations

from pydantic import Field

from exoderm.nta.analysis import NtaResult, TrackRow

#: Fields left out of an HTTP job result: per-track rows can be thousands (see ``to_frame``).
BULKY_FIELDS = frozenset({"track_rows"})


class NtaResultRead(NtaResult):
    """An analysis as the service returns it, with the QC measurement it was stored as."""

    stored_measurement_id: int | None = Field(
        None, description="the QC measurement recorded from it, if recorded on a batch"
    )
    source_sha256: str | None = Field(None, description="SHA-256 of the analysed file")

    def without_tracks(self) -> dict[str, object]:
        """The result as JSON data without the per-track rows (what the HTTP faces show)."""
        return self.model_dump(mode="json", exclude=set(BULKY_FIELDS))


class NtaJobResult(NtaResultRead):
    """An analysis as a background job reports it: everything but the per-track rows."""

    track_rows: list[TrackRow] = Field(default_factory=list, exclude=True)

    @classmethod
    def of(cls, result: NtaResultRead) -> NtaJobResult:
        """The job's view of ``result`` (its track rows dropped)."""
        return cls.model_validate(result.model_dump(exclude=set(BULKY_FIELDS)))
