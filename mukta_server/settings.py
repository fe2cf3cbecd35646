"""What one server process needs to know: where its data is and which clients it accepts."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .versions import VersionRange

# The first desktop version that speaks protocol 1. Raising it refuses older desktops (426);
# it is a setting (`serve --min-app-version`) so a head office can do that without a release.
DEFAULT_MIN_APP_VERSION = "0.1.0"
SQLITE_FILENAME = "server.sqlite3"
PHOTOS_DIRNAME = "photos"

# `serve --workers N` starts N processes that each build the app from these variables:
# nothing but the environment passes from the command to the workers.
ENV_DATABASE_URL = "MUKTA_SERVER_DATABASE_URL"
ENV_STORAGE_DIR = "MUKTA_SERVER_STORAGE_DIR"
ENV_MIN_APP_VERSION = "MUKTA_SERVER_MIN_APP_VERSION"


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    storage_dir: Path
    min_app_version: str = DEFAULT_MIN_APP_VERSION
    protocol: VersionRange = field(default_factory=lambda: VersionRange(1, 1))
    schema: VersionRange = field(default_factory=lambda: VersionRange(1, 1))

    @classmethod
    def for_data_dir(
        cls, data_dir: Path, *, min_app_version: str = DEFAULT_MIN_APP_VERSION
    ) -> Settings:
        """The laptop set-up: SQLite file and photos side by side in one directory."""
        data_dir = data_dir.resolve()
        return cls(
            database_url=sqlite_url(data_dir / SQLITE_FILENAME),
            storage_dir=data_dir / PHOTOS_DIRNAME,
            min_app_version=min_app_version,
        )

    def to_environment(self) -> dict[str, str]:
        return {
            ENV_DATABASE_URL: self.database_url,
            ENV_STORAGE_DIR: str(self.storage_dir),
            ENV_MIN_APP_VERSION: self.min_app_version,
        }

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ) if environ is None else environ
        missing = [name for name in (ENV_DATABASE_URL, ENV_STORAGE_DIR) if not env.get(name)]
        if missing:
            raise RuntimeError(
                f"{' and '.join(missing)} not set: start the server with `mukta-server serve`."
            )
        return cls(
            database_url=env[ENV_DATABASE_URL],
            storage_dir=Path(env[ENV_STORAGE_DIR]),
            min_app_version=env.get(ENV_MIN_APP_VERSION) or DEFAULT_MIN_APP_VERSION,
        )


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"
