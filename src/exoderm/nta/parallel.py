"""Many videos at once with Dask: a local cluster by default, or a running scheduler.

Each video is one task (analysis is single-threaded per video, so videos are the natural
unit of parallelism and a task's memory stays bounded by the streaming design).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from exoderm.errors import UserInputError
from exoderm.nta.analysis import AnalysisSettings, NtaResult, analyze
from exoderm.nta.frames import open_frames


def analyze_path(path: str, settings: AnalysisSettings, channel: int | None = None) -> NtaResult:
    """Open and analyse one video file (the task each Dask worker runs)."""
    return analyze(open_frames(path, channel=channel), settings)


def analyze_many(
    paths: Sequence[str | Path],
    settings: AnalysisSettings,
    *,
    scheduler: str | None = None,
    n_workers: int = 2,
    processes: bool = True,
    channel: int | None = None,
) -> list[NtaResult]:
    """Analyse ``paths`` in parallel; results come back in the order of ``paths``.

    ``scheduler``: address of a ``dask.distributed`` scheduler (``tcp://host:8786``); when
    omitted a :class:`~dask.distributed.LocalCluster` with ``n_workers`` is started and
    closed again. ``processes=False`` uses threads in this process (handy in tests).
    """
    from dask.distributed import Client, LocalCluster

    names = [str(p) for p in paths]
    missing = [n for n in names if not Path(n).exists()]
    if missing:
        raise UserInputError("video not found", file=missing[0])
    if scheduler:
        with Client(scheduler) as client:
            futures = client.map(
                analyze_path, names, settings=settings, channel=channel, pure=False
            )
            return list(client.gather(futures))
    with (
        LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=processes, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        futures = client.map(analyze_path, names, settings=settings, channel=channel, pure=False)
        return list(client.gather(futures))
