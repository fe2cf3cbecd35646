"""Server tests run on SQLite and on PostgreSQL: a throwaway PostgreSQL cluster per session.

The cluster is made with the machine's `initdb`/`pg_ctl` (PATH or /usr/lib/postgresql/*/bin),
listens only on a Unix socket in its own temporary directory and trusts local connections.
PostgreSQL refuses to run as root, so as root (CI here) the cluster belongs to `nobody`: its
directory is chowned to nobody and initdb/pg_ctl run through `runuser -u nobody --` (or
`su nobody -s /bin/sh -c` where runuser is missing). Without the binaries the PostgreSQL half
is skipped locally and fails under CI (CI must run PostgreSQL).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from server_support import Server, make_server

PG_TOOLS = ("initdb", "pg_ctl")
CLUSTER_USER = "nobody"


def _find_pg_bin() -> Path | None:
    found = [shutil.which(tool) for tool in PG_TOOLS]
    if all(found):
        return Path(str(found[0])).parent
    # Debian/Ubuntu keep the server binaries off PATH, one directory per major version.
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if all((Path(candidate) / tool).is_file() for tool in PG_TOOLS):
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class PgCluster:
    bin_dir: Path
    base: Path  # data directory, log and Unix socket live here
    port: int
    as_user: str | None  # run the server binaries as this user (when we are root)

    @property
    def socket_dir(self) -> Path:
        return self.base

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.socket_dir}&port={self.port}"

    def run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / tool), *args]
        if self.as_user is not None:
            if shutil.which("runuser"):
                command = ["runuser", "-u", self.as_user, "--", *command]
            else:
                command = ["su", self.as_user, "-s", "/bin/sh", "-c", shlex.join(command)]
        # cwd: the cluster's own directory, readable by its owner (not root's home).
        return subprocess.run(
            command, cwd=self.base, capture_output=True, text=True, timeout=120, check=False
        )

    def admin_execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(
            host=str(self.socket_dir),
            port=self.port,
            user="postgres",
            dbname="postgres",
            autocommit=True,
        ) as connection:
            connection.execute(sql.encode())


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    bin_dir = _find_pg_bin()
    if bin_dir is None:
        message = "PostgreSQL server binaries (initdb, pg_ctl) not found"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must run the PostgreSQL tests (scripts/bootstrap.sh)")
        pytest.skip(message)
    as_user = CLUSTER_USER if os.geteuid() == 0 else None
    # Not pytest's tmp_path: that lives under a root-only directory nobody cannot enter.
    base = Path(tempfile.mkdtemp(prefix="mukta-pg-"))
    if as_user is not None:
        entry = pwd.getpwnam(as_user)
        os.chown(base, entry.pw_uid, entry.pw_gid)
    cluster = PgCluster(bin_dir=bin_dir, base=base, port=_free_port(), as_user=as_user)
    started = False
    try:
        init = cluster.run(
            "initdb",
            "-D",
            str(base / "data"),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        if init.returncode != 0:
            pytest.fail(f"initdb failed:\n{init.stdout}\n{init.stderr}")
        # No TCP at all (listen_addresses=''); durability off: a test cluster needs speed.
        options = (
            f"-p {cluster.port} -k {base} -c listen_addresses='' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        start = cluster.run(
            "pg_ctl",
            "-D",
            str(base / "data"),
            "-l",
            str(base / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
        if start.returncode != 0:
            log = (base / "server.log").read_text() if (base / "server.log").exists() else ""
            pytest.fail(f"pg_ctl start failed:\n{start.stdout}\n{start.stderr}\n{log}")
        started = True
        yield cluster
    finally:
        if started:
            cluster.run("pg_ctl", "-D", str(base / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)


@contextlib.contextmanager
def _pg_database(cluster: PgCluster) -> Iterator[str]:
    name = f"mukta_test_{uuid.uuid4().hex[:12]}"
    cluster.admin_execute(f'CREATE DATABASE "{name}"')
    try:
        yield cluster.url(name)
    finally:
        # FORCE: a test that failed half-way may leave a pooled connection open.
        cluster.admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def server_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each engine: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.sqlite3'}"
        return
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    with _pg_database(cluster) as url:
        yield url


@pytest.fixture
def server(server_url: str, tmp_path: Path) -> Iterator[Server]:
    """An initialised server (schema, tenants od and od.dhenkanal, user je1) and its app."""
    with make_server(server_url, tmp_path / "photos") as running:
        yield running
