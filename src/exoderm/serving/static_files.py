"""The web pages' static files, served by file type from an allowlist (ASVS 5.0 V13.4.7).

Only the package's own folder is mounted, and within it only the types the pages load
(stylesheets, scripts, images, fonts); anything else there — licence texts, READMEs, a
stray backup — answers 404 like a missing file.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

#: The file types the pages and the API documentation load.
SERVED_SUFFIXES: frozenset[str] = frozenset({".css", ".js", ".png", ".svg", ".ico", ".woff2"})


class AllowlistedStaticFiles(StaticFiles):
    """:class:`StaticFiles` that serves only :data:`SERVED_SUFFIXES`."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if PurePosixPath(path).suffix.lower() not in SERVED_SUFFIXES:
            raise HTTPException(status_code=404)
        return await super().get_response(path, scope)
