"""No-op sync benchmark against the budget of issue 5 §6 (sync-protocol §5): an enrolled
desktop whose outbox is empty runs `services.sync_run.sync_once` against a real
`mukta-server serve` on loopback:

- at most 2 requests and at most 4 KB on the wire, both directions together

Every request is counted by an httpx transport (request line, headers and body as sent;
status line, headers and body as received, gzip-encoded where the server compressed). The
first round after enrolment (which may fetch what the server already holds) is shown, then
the no-op round that is held to the budget. The server's database does not change the bytes:
SQLite here, so this benchmark needs no PostgreSQL.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# The desktop keeps its token in the OS keyring; the benchmark uses none (a 0600 file).
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

from mukta_desktop.services.database import open_database
from mukta_desktop.services.sync_run import SyncReport, sync_once
from mukta_desktop.services.sync_setup import connect, enrol_device

from .sync_support import (
    BENCH_PASSWORD,
    initialise_head_office,
    login_for,
    machine_note,
    report_line,
    serve,
    ulb_codes,
)
from .sync_wire import CountingTransport, Exchange

BUDGET_REQUESTS = 2
BUDGET_BYTES = 4 * 1024


@dataclass
class NoopResult:
    first: list[Exchange]
    noop: list[Exchange]
    first_report: SyncReport
    noop_report: SyncReport

    @property
    def noop_bytes(self) -> int:
        return sum(e.total for e in self.noop)


def run(work: Path) -> NoopResult:
    url = f"sqlite:///{work / 'server.sqlite3'}"
    ulb = ulb_codes(1)[0]
    initialise_head_office(url, [ulb])
    with serve(url, work / "photos", workers=1) as served:
        db = open_database(work / "desktop")
        try:
            enrol_device(
                db,
                server_url=served.base_url,
                login=login_for(ulb),
                password=BENCH_PASSWORD,
                device_name="Bench laptop",
            )
            transport = CountingTransport()
            with connect(db, transport=transport) as client:
                first_report = sync_once(db, client)
                first = list(transport.exchanges)
                transport.reset()
                noop_report = sync_once(db, client)
                noop = list(transport.exchanges)
        finally:
            db.close()
    return NoopResult(first, noop, first_report, noop_report)


def _describe(exchanges: Sequence[Exchange]) -> None:
    for e in exchanges:
        print(f"    {e.method:<5} {e.path:<34} {e.status}  sent {e.sent:>5} B  "
              f"received {e.received:>5} B")  # fmt: skip


def print_result(result: NoopResult) -> None:
    print(f"(no-op sync: one enrolled desktop, empty outbox, 1 server process; {machine_note()})")
    print(f"first round after enrolment ({result.first_report.error or 'ok'}):")
    _describe(result.first)
    print(f"no-op round ({result.noop_report.error or 'ok'}):")
    _describe(result.noop)
    count = len(result.noop)
    report_line(
        "no-op sync requests",
        str(count),
        f"budget ≤ {BUDGET_REQUESTS}",
        count <= BUDGET_REQUESTS,
    )
    size = result.noop_bytes
    report_line(
        "no-op sync bytes (both directions)",
        f"{size} B",
        f"budget ≤ {BUDGET_BYTES} B",
        size <= BUDGET_BYTES,
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="mukta-noop-bench-") as work:
        print_result(run(Path(work)))


if __name__ == "__main__":
    main()
