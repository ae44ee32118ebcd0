"""The console: a plain HTML page at `/` and its script and style under `/console/`.

The files are static (no build step). They are served with a Content-Security-Policy that
allows only same-origin scripts, styles and connections (the GraphQL endpoint, its
websocket and /files), no inline script, and no framing.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

import clientbase

CONSOLE_DIR = Path(clientbase.__file__).parent / "console"
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-cache",
}


class _SecuredStatic(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(SECURITY_HEADERS)
        return response


async def _index(_: Request) -> Response:
    return FileResponse(CONSOLE_DIR / "index.html", headers=SECURITY_HEADERS)


def console_routes() -> list[BaseRoute]:
    return [
        Route("/", _index, methods=["GET", "HEAD"]),
        Mount("/console", app=_SecuredStatic(directory=CONSOLE_DIR), name="console"),
    ]
