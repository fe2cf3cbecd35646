"""What the sync benchmarks share: a PostgreSQL cluster of their own (made and removed here),
an initialised head office, a real `mukta-server serve` on loopback, enrolled devices, CPU
accounting from /proc and percentiles.

The cluster is made with the machine's `initdb`/`pg_ctl` (on PATH, else Debian's
/usr/lib/postgresql/<major>/bin). PostgreSQL will not run as root: as root its directory is
given to `nobody` and its binaries run through `runuser` (or `su`). It listens on a Unix
socket in its own temporary directory only. `durable=True` keeps PostgreSQL's own defaults
(fsync and synchronous commit on), as a head office runs it.
"""

from __future__ import annotations

import contextlib
import glob
import math
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from mukta_desktop import __version__ as app_version
from mukta_server.admin import add_tenant, add_user
from mukta_server.db import Database
from mukta_server.schema import upgrade

STATE = "od"
HEADERS = {"X-Mukta-Protocol": "1", "X-Mukta-Schema": "1", "X-Mukta-App": app_version}
CREATOR_ROLES = ["ESTIMATE_CREATOR", "MB_CREATOR"]
BENCH_PASSWORD = "bench-password-1"
REPO = Path(__file__).resolve().parents[1]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- PostgreSQL --------------------------------------------------------------------------


def pg_binaries() -> Path | None:
    """The directory holding initdb and pg_ctl, or None on a machine without them."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    for pg_ctl in versions:
        folder = Path(pg_ctl).parent
        if (folder / "initdb").is_file():
            return folder
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Cluster:
    """A running throwaway cluster: its URL for one database and its postmaster's pid."""

    url: str
    home: Path
    port: int

    def postmaster_pid(self) -> int | None:
        pid_file = self.home / "data" / "postmaster.pid"
        try:
            return int(pid_file.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None


def _as_owner(owner: str | None, argv: list[str]) -> list[str]:
    if owner is None:
        return argv
    if shutil.which("runuser"):
        return ["runuser", "-u", owner, "--", *argv]
    return ["su", owner, "-s", "/bin/sh", "-c", shlex.join(argv)]


@contextlib.contextmanager
def postgres_cluster(*, durable: bool = True, database: str = "mukta") -> Iterator[Cluster]:
    """Start a cluster, create `database`, yield; stop the cluster and delete its files."""
    binaries = pg_binaries()
    if binaries is None:
        raise RuntimeError("PostgreSQL's initdb/pg_ctl were not found (run scripts/bootstrap.sh).")
    owner = "nobody" if os.geteuid() == 0 else None
    home = Path(tempfile.mkdtemp(prefix="mukta-bench-pg-"))
    if owner is not None:
        record = pwd.getpwnam(owner)
        os.chown(home, record.pw_uid, record.pw_gid)
    port = free_port()
    data = home / "data"

    def run(tool: str, *args: str) -> None:
        done = subprocess.run(
            _as_owner(owner, [str(binaries / tool), *args]),
            cwd=home,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {done.stdout}\n{done.stderr}")

    settings = [f"-p {port}", f"-k {home}", "-c listen_addresses=''", "-c max_connections=200"]
    if not durable:
        settings += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
    running = False
    try:
        run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--locale=C", "--no-sync")  # fmt: skip
        run("pg_ctl", "-D", str(data), "-l", str(home / "log"), "-o", " ".join(settings),
            "-w", "-t", "60", "start")  # fmt: skip
        running = True
        import psycopg

        with psycopg.connect(
            host=str(home), port=port, user="postgres", dbname="postgres", autocommit=True
        ) as admin:
            admin.execute(f'CREATE DATABASE "{database}"'.encode())
        yield Cluster(
            url=f"postgresql+psycopg://postgres@/{database}?host={home}&port={port}",
            home=home,
            port=port,
        )
    finally:
        if running:
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                run("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(home, ignore_errors=True)


# --- the head office ---------------------------------------------------------------------


def ulb_codes(count: int) -> list[str]:
    return [f"{STATE}.bench{number:03d}" for number in range(1, count + 1)]


def login_for(ulb: str) -> str:
    return "je_" + ulb.removeprefix(f"{STATE}.")


def initialise_head_office(url: str, ulbs: Sequence[str]) -> None:
    """`mukta-server init`, the state and each ULB, and one junior engineer per ULB who may
    create projects, estimates and MBs."""
    database = Database.open(url)
    try:
        upgrade(database.engine)
        add_tenant(database, STATE, "Odisha")
        for ulb in ulbs:
            add_tenant(database, ulb, f"Bench municipality {ulb}")
            add_user(
                database,
                login=login_for(ulb),
                name=f"Junior Engineer of {ulb}",
                tenant=ulb,
                roles=CREATOR_ROLES,
                password=BENCH_PASSWORD,
            )
    finally:
        database.close()


@dataclass
class Served:
    """A `mukta-server serve` process tree on loopback."""

    base_url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def api(self) -> str:
        return f"{self.base_url}/api/v1"


@contextlib.contextmanager
def serve(url: str, storage: Path, *, workers: int, app: str | None = None) -> Iterator[Served]:
    """`mukta-server serve --workers N` (or, with `app`, uvicorn serving that app factory
    with the same settings in the environment); stopped with SIGINT, like Ctrl+C."""
    port = free_port()
    storage.mkdir(parents=True, exist_ok=True)
    log = storage.parent / f"serve-{port}.log"
    env = {
        **os.environ,
        "MUKTA_SERVER_DATABASE_URL": url,
        "MUKTA_SERVER_STORAGE_DIR": str(storage),
        "MUKTA_SERVER_MIN_APP_VERSION": app_version,
        # A bench-only app (`app`) is imported from this checkout, wherever we run from.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    if app is None:
        argv = [sys.executable, "-m", "mukta_server", "serve", "--database-url", url,
                "--storage", str(storage), "--port", str(port), "--workers", str(workers),
                "--min-app-version", app_version]  # fmt: skip
    else:
        argv = [sys.executable, "-m", "uvicorn", app, "--factory", "--port", str(port),
                "--workers", str(workers), "--log-level", "info", "--no-access-log"]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
    served = Served(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_for_hello(served, workers)
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_hello(served: Served, workers: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise RuntimeError(f"the server stopped:\n{served.log.read_text()}")
        try:
            answer = httpx.get(f"{served.api}/hello", headers=HEADERS, timeout=2)
            # Every worker must be up before timing: each one logs when it is.
            if answer.status_code == 200 and _workers_started(served) >= workers:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not answer within 60 s:\n{served.log.read_text()}")


def _workers_started(served: Served) -> int:
    return served.log.read_text(errors="replace").count("Application startup complete")


def logged_exceptions(log: Path) -> Counter[str]:
    """The exceptions a server logged (the last line of each traceback), counted."""
    found: Counter[str] = Counter()
    lines = log.read_text(errors="replace").splitlines()
    for number, line in enumerate(lines):
        if line.startswith("Traceback"):
            tail = next((t for t in lines[number + 1 :] if t and not t[0].isspace()), "?")
            found[tail[:160]] += 1
    return found


def enrol(api: str, login: str, device_name: str) -> str:
    """Enrol a device as the desktop does (POST /devices); returns its token."""
    answer = httpx.post(
        f"{api}/devices",
        json={
            "login": login,
            "password": BENCH_PASSWORD,
            "device_name": device_name,
            "app_version": app_version,
        },
        headers=HEADERS,
        timeout=60,
    )
    answer.raise_for_status()
    token: str = answer.json()["token"]
    return token


# --- measuring ---------------------------------------------------------------------------


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, CPU ticks used) of a live process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), int(fields[11]) + int(fields[12])


def tree_cpu_seconds(root: int | None) -> float:
    """CPU seconds used so far by a process and all its live descendants."""
    if root is None:
        return 0.0
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None:
                parents[int(entry.name)], ticks[int(entry.name)] = stat
    total = 0
    wanted = {root}
    for pid in sorted(parents):
        if pid in wanted or _descends(pid, wanted, parents):
            wanted.add(pid)
            total += ticks[pid]
    return total / CLOCK_TICKS


def _descends(pid: int, roots: set[int], parents: dict[int, int]) -> bool:
    seen = 0
    while pid in parents and seen < 64:
        pid = parents[pid]
        if pid in roots:
            return True
        seen += 1
    return False


@dataclass
class CpuMeter:
    """CPU seconds of named process trees between `start()` and `stop()`."""

    roots: dict[str, int | None]
    used: dict[str, float] = field(default_factory=dict)
    _before: dict[str, float] = field(default_factory=dict)

    def start(self) -> None:
        self._before = {name: tree_cpu_seconds(pid) for name, pid in self.roots.items()}

    def stop(self) -> dict[str, float]:
        self.used = {
            name: tree_cpu_seconds(pid) - self._before[name] for name, pid in self.roots.items()
        }
        return self.used


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share 0..1); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER BUDGET"


def machine_note() -> str:
    """Cores, Python, and the load others put on the machine as the benchmark starts."""
    one, five, _ = os.getloadavg()
    return (
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"load average {one:.1f} / {five:.1f} at start"
    )


def report_line(name: str, value: str, budget: str, ok: bool | None) -> None:
    tail = "" if ok is None else verdict(ok)
    print(f"{name:<46} {value:>16}   {budget:<18} {tail}")
