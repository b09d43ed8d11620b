"""The NTA service: the one place where the faces' analyses are checked, run and stored.

The CLI, the API and the web pages all call :func:`analyze` with the same
:class:`~exoderm.nta.analysis.AnalysisSettings` (built by
:func:`~exoderm.nta.analysis.analysis_settings`), so the same video gives the same result
whichever face it came through.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Role
from exoderm.nta.analysis import AnalysisSettings
from exoderm.nta.analysis import analyze as analyze_video
from exoderm.nta.concentration import Calibration
from exoderm.nta.frames import open_frames
from exoderm.nta.measurement import to_measurement
from exoderm.nta.results import NtaResultRead
from exoderm.qc import service as qc_service
from exoderm.qc.repository import QC_WRITE_ROLES

#: Roles that may run an NTA analysis (the roles holding the ``nta:write`` scope).
NTA_WRITE_ROLES = (Role.admin, Role.scientist, Role.qc_analyst)


def _sha256(path: Path) -> str | None:
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def analyze(
    session: Session,
    actor: Actor,
    *,
    video: Path,
    settings: AnalysisSettings,
    calibration: Calibration | None = None,
    record_on_batch: str | None = None,
    instrument: str = "NTA video",
    channel: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> NtaResultRead:
    """Analyse one NTA video and, optionally, record it on a QC batch as a measurement.

    The role is checked first and a batch to record on is looked up (within the actor's
    organisation) *before* the video is read, so a wrong lot fails at once, not after the
    analysis. The result names the video by its file name only (a server's upload folder is
    not shown to the caller).

    Parameters
    ----------
    session : Session
        Open database session (a transaction when ``record_on_batch`` is given).
    actor : Actor
        Who analyses; one of admin, scientist, QC analyst.
    video : Path
        TIFF stack, AVI/MP4, image folder or ``.npy`` file.
    settings : AnalysisSettings
        Every choice of the analysis (acquisition, detection, sizing, dilution).
    calibration : Calibration, optional
        Effective scattering volume; replaces ``settings.calibration``. With one (in
        either place) the result reports the concentration.
    record_on_batch : str, optional
        Lot number of a QC batch to record the result on.
    instrument : str
        Instrument name for the QC record.
    channel : int, optional
        Colour channel of a colour video.
    progress : callable, optional
        Called with 1 after each frame.

    Returns
    -------
    NtaResultRead
        The analysis, the file's SHA-256 and the id of the stored QC measurement, if any.

    Raises
    ------
    PermissionDenied
        The actor's role may not analyse (or record QC measurements).
    NotFoundError
        No batch ``record_on_batch`` in the actor's organisation.
    UserInputError
        The video cannot be read.

    References
    ----------
    .. [1] Vestergaard, C. L., Blainey, P. C. & Flyvbjerg, H. (2014). Optimal estimation of
       diffusion coefficients from single-particle trajectories. Phys. Rev. E 89, 022726.
       doi:10.1103/PhysRevE.89.022726
    .. [2] Walker, J. G. (2012). Improved nano-particle tracking analysis. Meas. Sci.
       Technol. 23, 065605. doi:10.1088/0957-0233/23/6/065605
    .. [3] Théry, C. et al. (2018). Minimal information for studies of extracellular vesicles
       2018 (MISEV2018). J. Extracell. Vesicles 7, 1535750. doi:10.1080/20013078.2018.1535750
       (a particle measurement reported with the settings that produced it).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.nta import analysis_settings, simulate_video
    >>> from exoderm.storage.scratch import scratch_database
    >>> folder = tempfile.TemporaryDirectory()
    >>> video = Path(folder.name) / "beads.tif"
    >>> _ = simulate_video(video, n_frames=30, width=96, height=96, n_particles=12, seed=1)
    >>> settings = analysis_settings(temperature=22, pixel_size=0.166, fps=25,
    ...                              exposure="30ms", bootstrap=0)
    >>> db = scratch_database()
    >>> with db.reader() as s:
    ...     result = analyze(s, local_operator(), video=video, settings=settings)
    >>> result.source, result.frames, result.stored_measurement_id
    ('beads.tif', 30, None)
    >>> db.dispose(); folder.cleanup()
    """
    actor.require(*NTA_WRITE_ROLES, action="analyse NTA videos")
    if record_on_batch is not None:
        _visible_batch(session, actor, record_on_batch)
    if calibration is not None:
        settings = settings.model_copy(update={"calibration": calibration})
    source = open_frames(video, channel=channel)
    result = analyze_video(source, settings, progress)
    result = result.model_copy(update={"source": video.name})
    read = NtaResultRead.model_validate(result.model_dump() | {"source_sha256": _sha256(video)})
    if record_on_batch is None:
        return read
    stored = _record(session, actor, read, record_on_batch, instrument)
    return read.model_copy(update={"stored_measurement_id": stored})


def _visible_batch(session: Session, actor: Actor, lot: str) -> None:
    """Fence before the work: the batch must be one the actor may record on."""
    actor.require(*QC_WRITE_ROLES, action="record QC measurements")
    qc_service.get_batch(session, actor, lot)


def _record(
    session: Session, actor: Actor, result: NtaResultRead, lot: str, instrument: str
) -> int:
    measurement = to_measurement(result, instrument=instrument, source_sha256=result.source_sha256)
    return qc_service.record_measurement(session, actor, lot, measurement=measurement).id
