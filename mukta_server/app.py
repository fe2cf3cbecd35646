"""The composition root of the server: `create_app(settings)` wires database, storage, API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

from . import __version__
from .api import API_PREFIX, devices, hello, numbers, photos, records, sync
from .api.errors import install_error_handlers
from .api.middleware import ClientVersionMiddleware, RequestBodyMiddleware
from .db import Database
from .schema import require_current
from .settings import Settings
from .storage import FileStorage

# Answers under 1 KB are not worth compressing (sync-protocol §1).
GZIP_MINIMUM_SIZE = 1024


def create_app(settings: Settings) -> FastAPI:
    """An app on the configured database and storage; refuses (SchemaMismatch) a database
    that `mukta-server init` has not brought to this version's schema."""
    database = Database.open(settings.database_url)
    try:
        require_current(database.engine)
    except BaseException:
        database.close()
        raise

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        database.close()

    app = FastAPI(
        title="MUKTA head-office server",
        version=__version__,
        description="The sync API of MUKTA Desktop (docs/sync-protocol.md).",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    # Per-app state, read by the dependencies: two apps in one process (tests) never share.
    app.state.settings = settings
    app.state.database = database
    app.state.storage = FileStorage(settings.storage_dir)

    install_error_handlers(app)
    app.include_router(hello.router, prefix=API_PREFIX, tags=["versions"])
    app.include_router(devices.router, prefix=API_PREFIX, tags=["devices"])
    app.include_router(sync.router, prefix=API_PREFIX, tags=["sync"])
    app.include_router(photos.router, prefix=API_PREFIX, tags=["photos"])
    app.include_router(numbers.router, prefix=API_PREFIX, tags=["numbers"])
    app.include_router(records.router, prefix=API_PREFIX, tags=["records"])

    # Added innermost first: answers are compressed last, versions are checked before a
    # body is decompressed.
    app.add_middleware(RequestBodyMiddleware)
    app.add_middleware(
        ClientVersionMiddleware,
        protocol=settings.protocol,
        schema=settings.schema,
        min_app_version=settings.min_app_version,
    )
    # Level 6: nearly the size of 9 at a fraction of the CPU (pulls are the bulk of it).
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_SIZE, compresslevel=6)
    return app


def app_from_environment() -> FastAPI:
    """The app of one `serve` worker process (uvicorn calls this factory in each worker)."""
    return create_app(Settings.from_environment())
