"""What every request handler needs: the database, settings, secret key and job runner.

One :class:`AppContext` lives on ``app.state`` for the life of the application; handlers
reach it through the :func:`app_context` dependency rather than through globals, so tests
can run several apps on different databases in one process.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request

from exoderm.serving.caches import TtlCache
from exoderm.serving.jobs import JobRunner
from exoderm.settings import Settings, move_out_of_data_dir, private_folder
from exoderm.storage.engine import Database


@dataclass
class AppContext:
    db: Database
    settings: Settings
    secret_key: str
    jobs: JobRunner
    #: Bearer-token digest → principal and the credential epoch it was resolved at, for a
    #: few seconds (see :mod:`exoderm.serving.caches`).
    token_cache: TtlCache[str, object] = field(default_factory=lambda: TtlCache(5.0))
    #: Capability data that is costly to rebuild per request (e.g. the knowledge base).
    data_cache: TtlCache[str, Any] = field(default_factory=lambda: TtlCache(2.0))


async def app_context(request: Request) -> AppContext:
    """FastAPI dependency: the application's :class:`AppContext`."""
    found: AppContext = request.app.state.context
    return found


def load_secret_key(settings: Settings) -> str:
    """The key that signs login-form CSRF tokens: from settings, else a file in key_dir.

    The file is created once with mode 0600, so restarts keep pending login forms valid;
    one an earlier version left in data_dir is moved to key_dir.
    """
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    path = Path(settings.key_dir) / "secret_key"
    move_out_of_data_dir(Path(settings.data_dir) / "secret_key", path)
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    private_folder(path.parent)
    key = secrets.token_urlsafe(48)
    # created 0600 from the start: never readable by others, not even briefly
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key
