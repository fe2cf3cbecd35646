"""Sync load benchmark against the budget of issue 5 §6 (2-core machine): 100 simulated
devices pushing and pulling for 60 s against PostgreSQL.

- operations applied: ≥ 300 per second
- push latency: p95 ≤ 500 ms
- errors: 0 (any answer but 2xx, any network error, any operation not `applied`)

The server is a real `mukta-server serve --workers N` on loopback against a PostgreSQL
cluster this benchmark makes and removes (durable by default: fsync and synchronous commit
on, as a head office runs it). Each device is enrolled as a real device (POST /devices, one
junior engineer per ULB) and speaks the protocol with its own HTTP connection: it pushes a
small batch of project operations (new projects, and new versions of its own projects on
the version the server last answered), then pulls its ULB's changes by cursor until `more` is
false, then waits for its next turn. The devices together offer `--rate` operations per
second (0: as fast as the server answers, to find its capacity). Every device runs in one
asyncio loop in this process, which shares the machine's cores with the server and
PostgreSQL: the CPU each of the three used is printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import random
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from mukta_desktop.domain.canonical import canonical_json, content_hash
from mukta_desktop.models import Project
from mukta_desktop.services.record_documents import project_document

from .sync_support import (
    HEADERS,
    Cluster,
    CpuMeter,
    enrol,
    initialise_head_office,
    logged_exceptions,
    login_for,
    machine_note,
    percentile,
    postgres_cluster,
    report_line,
    serve,
    ulb_codes,
)

GZIP_ABOVE = 1024  # as the desktop: bodies over 1 KB travel gzip-encoded
BUDGET_OPS = 300.0
BUDGET_P95_MS = 500.0


@dataclass(frozen=True)
class LoadConfig:
    devices: int = 100
    ulbs: int = 25
    seconds: float = 60.0
    batch: int = 5
    rate: float = 330.0  # operations per second offered by all devices together; 0: flat out
    update_share: float = 0.5  # of the operations, new versions of a device's own projects
    workers: int = 2
    database: str = "postgresql"  # or sqlite
    durable: bool = True


@dataclass
class LoadResult:
    config: LoadConfig
    elapsed: float = 0.0
    applied: int = 0
    pushes: int = 0
    pulls: int = 0
    changes_pulled: int = 0
    push_ms: list[float] = field(default_factory=list)
    pull_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    cpu: dict[str, float] = field(default_factory=dict)
    server_errors: Counter[str] = field(default_factory=Counter)  # exceptions the server logged

    @property
    def ops_per_second(self) -> float:
        return self.applied / self.elapsed if self.elapsed else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


@dataclass
class Device:
    number: int
    ulb: str
    login: str
    token: str
    rng: random.Random
    seq: int = 0
    cursor: str = "0"
    # record id -> (the server's version, the project as last sent)
    projects: dict[str, tuple[int, Project]] = field(default_factory=dict)
    made: int = 0

    def operations(
        self, count: int, update_share: float
    ) -> tuple[list[dict[str, Any]], dict[str, Project]]:
        """The next batch, and the projects it sends by id (kept once applied)."""
        ops = []
        sent: dict[str, Project] = {}
        for _ in range(count):
            choices = [pid for pid in self.projects if pid not in sent]
            if choices and self.rng.random() < update_share:
                record_id = self.rng.choice(choices)
                version, project = self.projects[record_id]
                project.ward = str(self.rng.randint(1, 40))
                project.locality = f"Locality {self.rng.randint(1, 10_000)}"
                base: int | None = version
            else:
                self.made += 1
                record_id = str(uuid.uuid4())
                project = Project(
                    id=record_id,
                    number=f"PJ/2026-27/{self.number:03d}{self.made:05d}",
                    tenant_code=self.ulb,
                    name=f"Drain {self.number}-{self.made}",
                    description="Storm-water drain, both sides of the road",
                    ward=str(self.rng.randint(1, 40)),
                    locality="Market road",
                    sanction_date=None,
                    status="OPEN",
                    created_by=self.login,
                )
                base = None
            sent[record_id] = project
            document = project_document(project)
            self.seq += 1
            ops.append(
                {
                    "seq": self.seq,
                    "kind": "upsert",
                    "record_type": "project",
                    "record_id": record_id,
                    "base_version": base,
                    "content_hash": content_hash(document),
                    "payload": document,
                }
            )
        return ops, sent


def _body(value: Any) -> tuple[bytes, dict[str, str]]:
    content = canonical_json(value)
    headers = {"Content-Type": "application/json"}
    if len(content) > GZIP_ABOVE:
        content = gzip.compress(content, mtime=0)
        headers["Content-Encoding"] = "gzip"
    return content, headers


async def _push(
    http: httpx.AsyncClient, device: Device, config: LoadConfig, result: LoadResult | None
) -> None:
    ops, sent = device.operations(config.batch, config.update_share)
    content, headers = _body({"ops": ops})
    started = time.perf_counter()
    try:
        answer = await http.post("/push", content=content, headers=headers)
    except httpx.HTTPError as error:
        _error(result, f"push: {type(error).__name__}")
        device.seq -= len(ops)  # nothing was answered: the same numbers go again
        return
    if result is not None:
        result.push_ms.append((time.perf_counter() - started) * 1000)
        result.pushes += 1
    if answer.status_code != 200:
        _error(result, f"push: HTTP {answer.status_code}")
        device.seq -= len(ops)
        return
    by_seq = {op["seq"]: op for op in ops}
    for item in answer.json()["results"]:
        op = by_seq[item["seq"]]
        if item["status"] != "applied":
            _error(result, f"push: {item['status']} {item.get('reasons', '')}")
            continue
        device.projects[op["record_id"]] = (int(item["version"]), sent[op["record_id"]])
        if result is not None:
            result.applied += 1


async def _pull(http: httpx.AsyncClient, device: Device, result: LoadResult | None) -> None:
    while True:
        started = time.perf_counter()
        try:
            answer = await http.get("/changes", params={"cursor": device.cursor, "limit": 500})
        except httpx.HTTPError as error:
            _error(result, f"pull: {type(error).__name__}")
            return
        if answer.status_code != 200:
            _error(result, f"pull: HTTP {answer.status_code}")
            return
        page = answer.json()
        if result is not None:
            result.pull_ms.append((time.perf_counter() - started) * 1000)
            result.pulls += 1
            result.changes_pulled += len(page["changes"])
        device.cursor = page["cursor"]
        if not page["more"]:
            return


def _error(result: LoadResult | None, what: str) -> None:
    if result is not None:
        result.errors[what[:120]] += 1


async def _device_loop(
    device: Device,
    http: httpx.AsyncClient,
    config: LoadConfig,
    result: LoadResult,
    start: float,
    deadline: float,
) -> None:
    # Each device pushes once per period; their phases are spread over the first period.
    period = config.batch * config.devices / config.rate if config.rate > 0 else 0.0
    turn = start + device.rng.random() * period
    while True:
        now = time.perf_counter()
        if turn > now:
            await asyncio.sleep(turn - now)
        if time.perf_counter() >= deadline:
            return
        await _push(http, device, config, result)
        await _pull(http, device, result)
        turn += period


async def _run_devices(api: str, devices: Sequence[Device], config: LoadConfig) -> LoadResult:
    result = LoadResult(config)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [
        httpx.AsyncClient(
            base_url=api,
            headers={**HEADERS, "Authorization": f"Bearer {d.token}", "Accept-Encoding": "gzip"},
            limits=limits,
            timeout=60,
        )
        for d in devices
    ]
    try:
        # Untimed warm-up: every device connects, pushes once and catches up with the log.
        await asyncio.gather(
            *(_push(c, d, config, None) for c, d in zip(clients, devices, strict=True))
        )
        await asyncio.gather(*(_pull(c, d, None) for c, d in zip(clients, devices, strict=True)))
        start = time.perf_counter()
        deadline = start + config.seconds
        await asyncio.gather(
            *(
                _device_loop(d, c, config, result, start, deadline)
                for c, d in zip(clients, devices, strict=True)
            )
        )
        result.elapsed = time.perf_counter() - start
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return result


def run(config: LoadConfig, work: Path) -> LoadResult:
    """Set up a head office, serve it, enrol the devices and run them; returns the figures."""
    if config.database == "postgresql":
        with postgres_cluster(durable=config.durable) as cluster:
            return _run_served(config, work, cluster.url, cluster)
    return _run_served(config, work, f"sqlite:///{work / 'server.sqlite3'}", None)


def _run_served(config: LoadConfig, work: Path, url: str, cluster: Cluster | None) -> LoadResult:
    ulbs = ulb_codes(min(config.ulbs, config.devices))
    initialise_head_office(url, ulbs)
    with serve(url, work / "photos", workers=config.workers) as served:
        homes = [ulbs[n % len(ulbs)] for n in range(config.devices)]
        with ThreadPoolExecutor(4) as pool:  # argon2 on the server: enrol a few at a time
            tokens = list(
                pool.map(
                    lambda n: enrol(served.api, login_for(homes[n]), f"Bench device {n}"),
                    range(config.devices),
                )
            )
        devices = [
            Device(n, homes[n], login_for(homes[n]), tokens[n], random.Random(n))
            for n in range(config.devices)
        ]
        meter = CpuMeter(
            {
                "server": served.process.pid,
                "postgresql": None if cluster is None else cluster.postmaster_pid(),
                "devices": None,
            }
        )
        meter.start()
        before = time.process_time()
        result = asyncio.run(_run_devices(served.api, devices, config))
        result.cpu = meter.stop()
        result.cpu["devices"] = time.process_time() - before
        result.server_errors = logged_exceptions(served.log)
    return result


def print_result(result: LoadResult) -> None:
    config = result.config
    where = (
        f"PostgreSQL ({'durable' if config.durable else 'fsync off'})"
        if config.database == "postgresql"
        else "SQLite"
    )
    offered = f"{config.rate:.0f} ops/s offered" if config.rate > 0 else "flat out"
    print(
        f"(sync load: {config.devices} devices in {min(config.ulbs, config.devices)} ULBs, "
        f"{config.batch} operations a push, {offered}, {result.elapsed:.1f} s; "
        f"{config.workers} server process(es) on {where}; {machine_note()})"
    )
    ops = result.ops_per_second
    report_line("operations applied", f"{ops:.0f} ops/s", f"budget ≥ {BUDGET_OPS:.0f}", ops >= 300)
    p50, p95, p99 = (percentile(result.push_ms, q) for q in (0.50, 0.95, 0.99))
    report_line("push latency p50", f"{p50:.0f} ms", "", None)
    report_line("push latency p95", f"{p95:.0f} ms", f"budget ≤ {BUDGET_P95_MS:.0f} ms", p95 <= 500)
    report_line("push latency p99", f"{p99:.0f} ms", "", None)
    pull50, pull95 = (percentile(result.pull_ms, q) for q in (0.50, 0.95))
    report_line("pull latency p50 / p95", f"{pull50:.0f} / {pull95:.0f} ms", "", None)
    report_line("errors", str(result.error_count), "budget 0", result.error_count == 0)
    for what, count in result.errors.most_common(5):
        print(f"    {count} × {what}")
    for what, count in result.server_errors.most_common(5):
        print(f"    server log: {count} × {what}")
    busy = ", ".join(f"{name} {used / result.elapsed:.2f}" for name, used in result.cpu.items())
    per_op = ", ".join(
        f"{name} {used / max(result.applied, 1) * 1000:.1f}" for name, used in result.cpu.items()
    )
    print(
        f"(pushes {result.pushes}, pulls {result.pulls}, changes pulled {result.changes_pulled}; "
        f"cores busy on average: {busy}; CPU ms per applied operation: {per_op})"
    )


def parse(argv: Sequence[str] | None = None) -> LoadConfig:
    defaults = LoadConfig()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--devices", type=int, default=defaults.devices)
    parser.add_argument("--ulbs", type=int, default=defaults.ulbs)
    parser.add_argument("--seconds", type=float, default=defaults.seconds)
    parser.add_argument("--batch", type=int, default=defaults.batch)
    parser.add_argument(
        "--rate", type=float, default=defaults.rate, help="ops/s offered in all; 0: flat out"
    )
    parser.add_argument("--update-share", type=float, default=defaults.update_share)
    parser.add_argument("--workers", type=int, default=defaults.workers)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument(
        "--fsync-off", action="store_true", help="PostgreSQL without fsync (as the tests)"
    )
    args = parser.parse_args(argv)
    return LoadConfig(
        devices=args.devices,
        ulbs=args.ulbs,
        seconds=args.seconds,
        batch=args.batch,
        rate=args.rate,
        update_share=args.update_share,
        workers=args.workers,
        database=args.database,
        durable=not args.fsync_off,
    )


def main(argv: Sequence[str] | None = None) -> None:
    config = parse(argv)
    with tempfile.TemporaryDirectory(prefix="mukta-sync-bench-") as work:
        print_result(run(config, Path(work)))


if __name__ == "__main__":
    main()
