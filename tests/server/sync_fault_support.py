"""What the sync fault tests share: head offices run as real `mukta-server serve` processes
(forked by `fork_launcher`), desktops that keep making records (projects, estimates through
their workflow, work orders, MBs with a photo) and sync them, and the final tally of what
the server holds against what the desktops made: records lost, operations applied twice."""

from __future__ import annotations

import contextlib
import itertools
import os
import random
import signal
import socket
import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import httpx
from desktop_flow import OFFICER, TODAY, officer_work, row
from fault_proxy import Request
from fork_launcher import Launcher
from server_support import ULB, initialise, wait_until
from sqlalchemy import select

from mukta_desktop.domain.dates import INDIA, financial_year
from mukta_desktop.domain.estimate import LineCategory
from mukta_desktop.domain.workflow import Action, Status
from mukta_desktop.models import Counter as NumberCounter
from mukta_desktop.models import (
    Estimate,
    MbPhoto,
    MeasurementBook,
    OutboxOperation,
    Project,
    Sor,
    SyncState,
    WorkOrder,
)
from mukta_desktop.services.database import Database, open_database
from mukta_desktop.services.demo_photos import draw_site_photo
from mukta_desktop.services.estimate_views import EstimateDraft, LineDraft
from mukta_desktop.services.estimates import act, create_estimate
from mukta_desktop.services.mb_views import MbLineDraft
from mukta_desktop.services.measurement_books import act_mb, add_photo, create_mb
from mukta_desktop.services.numbering import PREFIXES
from mukta_desktop.services.projects import NewProject, create_project
from mukta_desktop.services.sync_run import sync_once
from mukta_desktop.services.sync_setup import connect, enrol_device
from mukta_desktop.services.users import Actor
from mukta_desktop.services.work_orders import create_work_order, get_work_order
from mukta_desktop.sync.client import SyncClient, SyncError
from mukta_server import cli
from mukta_server.admin import add_user
from mukta_server.db import Database as ServerDatabase
from mukta_server.models import Change, DeviceOperation, HeldOperation, Record
from mukta_server.settings import Settings

PASSWORD = "officer-secret"
ESCAPED = "escaped sync_once: "  # how sync_round marks a network error sync_once let out
D = Decimal
# What the launcher imports once, so that each forked server or desktop starts at once.
PRELOAD = (
    "sync_fault_support",
    "mukta_server.app",
    "mukta_server.api.sync",
    "mukta_server.push",
    "uvicorn",
    "uvicorn.protocols.http.h11_impl",
    "uvicorn.lifespan.on",
    "psycopg",
)
NEXT_ESTIMATE_ACTION = {
    Status.DRAFTED.value: Action.SUBMIT,
    Status.PENDING_VERIFICATION.value: Action.VERIFY,
    Status.PENDING_TECHNICAL_SANCTION.value: Action.SANCTION,
    Status.PENDING_APPROVAL.value: Action.APPROVE,
}
NEXT_MB_ACTION = {
    Status.DRAFTED.value: Action.SUBMIT,
    Status.PENDING_VERIFICATION.value: Action.VERIFY,
    Status.PENDING_APPROVAL.value: Action.APPROVE,
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- head office ---------------------------------------------------------------------------


def serve(*argv: str) -> int:
    """The launcher's entry for a server child: exactly `mukta-server serve ARGV`."""
    return cli.main(["serve", *argv])


DYING_MOMENTS = ("before_commit", "after_commit")


def serve_dying(moment: str, *argv: str) -> int:
    """`mukta-server serve ARGV` that SIGKILLs itself in its first push transaction: at
    `before_commit` (everything written, nothing committed) or `after_commit` (committed,
    no answer sent). Only this child process is changed, through SQLAlchemy's session
    events: the server's code is the real one."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session as OrmSession

    assert moment in DYING_MOMENTS

    def pushing(session: OrmSession) -> bool:
        pending = [*session.new, *session.dirty]
        return bool(session.info.get("push")) or any(
            isinstance(row, DeviceOperation) for row in pending
        )

    def mark(session: OrmSession, _context: object) -> None:
        if any(isinstance(row, DeviceOperation) for row in session.new):
            session.info["push"] = True

    def die(session: OrmSession) -> None:
        if pushing(session):
            os.kill(os.getpid(), signal.SIGKILL)

    event.listen(OrmSession, "after_flush", mark)
    event.listen(OrmSession, moment, die)
    return serve(*argv)


def add_officer(url: str, officer: Actor = OFFICER) -> None:
    database = ServerDatabase.open(url)
    try:
        add_user(
            database,
            login=officer.login,
            name=officer.name,
            tenant=ULB,
            roles=[r.value for r in officer.roles],
            password=PASSWORD,
        )
    finally:
        database.close()


@dataclass
class Served:
    pid: int
    port: int


class HeadOffice:
    """A server database with its photo store, initialised with one ULB and its officers,
    and the `mukta-server serve` processes started on it."""

    def __init__(
        self, launcher: Launcher, settings: Settings, where: list[str], logs: Path
    ) -> None:
        self.launcher = launcher
        self.settings = settings
        self.where = where
        self.logs = logs
        self.running: list[Served] = []
        self.started = 0
        settings.storage_dir.mkdir(parents=True, exist_ok=True)  # the data directory too
        initialise(settings.database_url)

    @classmethod
    def on_sqlite(cls, launcher: Launcher, base: Path) -> HeadOffice:
        data_dir = base / "head-office"
        return cls(launcher, Settings.for_data_dir(data_dir), ["--data-dir", str(data_dir)], base)

    @classmethod
    def on_postgresql(cls, launcher: Launcher, url: str, base: Path) -> HeadOffice:
        storage = base / "head-office-photos"
        return cls(
            launcher,
            Settings(database_url=url, storage_dir=storage),
            ["--database-url", url, "--storage", str(storage)],
            base,
        )

    def database(self) -> ServerDatabase:
        return ServerDatabase.open(self.settings.database_url)

    def start(self, *, dying_at: str | None = None) -> Served:
        """One more server process on a new port, answering once this returns (`dying_at`:
        one that kills itself at that moment of its first push, see `serve_dying`)."""
        port = free_port()
        log = self.logs / f"serve-{port}.log"
        argv = [*self.where, "--port", str(port)]
        if dying_at is None:
            pid = self.launcher.start("sync_fault_support:serve", argv, log)
        else:
            pid = self.launcher.start("sync_fault_support:serve_dying", [dying_at, *argv], log)
        served = Served(pid, port)
        self.running.append(served)
        self.started += 1

        def answered() -> bool | None:
            text = log.read_text() if log.exists() else ""
            if "child failed" in text:
                raise AssertionError(f"mukta-server serve failed:\n{text}")
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/v1/hello", timeout=2)
            except httpx.TransportError:
                return None
            return True

        wait_until(answered, timeout=60, what=f"mukta-server serve on port {port}")
        return served

    def kill(self, served: Served) -> None:
        """SIGKILL, and wait until the process is gone."""
        self.launcher.reap(served.pid, kill=True)
        self.running.remove(served)

    def stop_all(self) -> None:
        for served in list(self.running):
            self.kill(served)


class KillSwitch:
    """SIGKILL a process at a random moment: armed for one process, it fires `delay()`
    seconds after the next request that `matches` has reached the server (proxy's
    `on_forwarded`), and notes whether the server's answer had arrived by then."""

    def __init__(
        self, rng: random.Random, max_delay: float, matches: Callable[[Request], bool]
    ) -> None:
        self.rng = rng
        self.max_delay = max_delay
        self.matches = matches
        self.fired = threading.Event()
        self.before_answer = 0  # kills that came while the request was being served
        self.after_answer = 0
        self.triggers: Counter[str] = Counter()  # the requests after which kills came
        self._pid: int | None = None
        self._in_flight = False
        self._lock = threading.Lock()

    def arm(self, pid: int) -> None:
        with self._lock:
            self._pid = pid
            self.fired.clear()

    def on_forwarded(self, request: Request) -> None:
        with self._lock:
            if self._pid is None or not self.matches(request):
                return
            pid, self._pid = self._pid, None
            self._in_flight = True
            self.triggers[f"{request.method} {request.path.split('/')[3]}"] += 1
            delay = self.rng.uniform(0.0, self.max_delay)
        threading.Timer(delay, self._kill, args=(pid,)).start()

    def on_answered(self, request: Request) -> None:
        if self.matches(request):
            with self._lock:
                self._in_flight = False

    def _kill(self, pid: int) -> None:
        with self._lock:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            if self._in_flight:
                self.before_answer += 1
            else:
                self.after_answer += 1
        self.fired.set()


# --- desktops ------------------------------------------------------------------------------


class Workload:
    """The next piece of an officer's work, chosen at random among what the records allow:
    a project, an estimate submitted or taken one workflow step further, a work order on an
    approved estimate, an MB (with a photo) submitted or taken further. Everything is read
    from the database, so a new process continues where a killed one stopped. Each step
    queues one or two outbox operations."""

    def __init__(self, db: Database, rng: random.Random, officer: Actor = OFFICER) -> None:
        self.db = db
        self.rng = rng
        self.officer = officer
        self.photos_dir = db.path.parent / "camera"
        with db.read() as session:
            self.sor = session.scalar(select(Sor.code).limit(1))
        if self.sor is None:
            # A fresh desktop starts with one whole flow done (SOR item, project, approved
            # estimate and MB, work order); the SOR item serves every later estimate.
            officer_work(db)
            with db.read() as session:
                self.sor = session.scalar(select(Sor.code).limit(1))
        assert self.sor is not None

    def step(self) -> str:
        """Do one piece of work; returns its name."""
        with self.db.read() as session:
            bare = list(
                session.scalars(
                    select(Project.number).where(~Project.id.in_(select(Estimate.project_id)))
                )
            )
            estimates = list(
                session.execute(
                    select(Estimate.number, Estimate.status).where(
                        Estimate.status.in_(list(NEXT_ESTIMATE_ACTION))
                    )
                )
            )
            no_order = list(
                session.scalars(
                    select(Estimate.number).where(
                        Estimate.status == Status.APPROVED.value,
                        ~Estimate.id.in_(select(WorkOrder.estimate_id)),
                    )
                )
            )
            no_mb = list(
                session.scalars(
                    select(WorkOrder.number).where(
                        ~WorkOrder.id.in_(select(MeasurementBook.work_order_id))
                    )
                )
            )
            mbs = list(
                session.execute(
                    select(MeasurementBook.number, MeasurementBook.status).where(
                        MeasurementBook.status.in_(list(NEXT_MB_ACTION))
                    )
                )
            )
        choices: list[tuple[str, float]] = [("project", 3.0)]
        if bare:
            choices.append(("estimate", 2.0))
        if estimates:
            choices.append(("estimate step", 3.0))
        if no_order:
            choices.append(("work order", 2.0))
        if no_mb:
            choices.append(("mb", 2.0))
        if mbs:
            choices.append(("mb step", 2.0))
        kind = self.rng.choices([c for c, _ in choices], [w for _, w in choices])[0]
        if kind == "project":
            self._project()
        elif kind == "estimate":
            self._estimate(self.rng.choice(bare))
        elif kind == "estimate step":
            number, status = self.rng.choice(estimates)
            act(self.db, self.officer, number, NEXT_ESTIMATE_ACTION[status])
        elif kind == "work order":
            create_work_order(
                self.db,
                self.officer,
                estimate_number=self.rng.choice(no_order),
                organisation="Maa Tarini SHG",
                start=date(2026, 7, 1),
                end=date(2026, 9, 30),
                today=TODAY,
            )
        elif kind == "mb":
            self._mb(self.rng.choice(no_mb))
        else:
            number, status = self.rng.choice(mbs)
            act_mb(self.db, self.officer, number, NEXT_MB_ACTION[status])
        return kind

    def _project(self) -> None:
        n = self.rng.randrange(1, 10_000)
        create_project(
            self.db, self.officer, NewProject(name=f"Drain {n}", ward=str(n % 20 + 1)), today=TODAY
        )

    def _estimate(self, project: str) -> None:
        line = LineDraft(
            LineCategory.SOR,
            "",
            "",
            D(0),
            rows=(row(str(self.rng.randrange(2, 40))),),
            sor_code=self.sor,
        )
        number = create_estimate(
            self.db,
            self.officer,
            project_number=project,
            draft=EstimateDraft(date(2026, 6, 15), "", (line,)),
            today=TODAY,
        ).number
        act(self.db, self.officer, number, Action.SUBMIT)

    def _mb(self, order_number: str) -> None:
        order = get_work_order(self.db, order_number)
        mb = create_mb(
            self.db,
            self.officer,
            order_number,
            today=TODAY,
            lines=[MbLineDraft(order.lines[0].key, (row("1"),))],
        ).number
        self.photos_dir.mkdir(exist_ok=True)
        photo = self.photos_dir / f"{mb.replace('/', '-')}.jpg"
        photo.write_bytes(
            draw_site_photo(
                self.rng.randrange(1_000_000),
                taken_at=datetime(2026, 7, 3, 10, 0, tzinfo=INDIA),
                latitude=D("20.658741"),
                longitude=D("85.598512"),
                size=(320, 240),
            )
        )
        add_photo(self.db, self.officer, mb, photo)
        act_mb(self.db, self.officer, mb, Action.SUBMIT)


class Desktop:
    """One desktop data directory, its officer's work and its sync rounds. One SyncClient
    serves every round (a new httpx client loads the CA bundle again: 0.1 s each)."""

    def __init__(
        self,
        data_dir: Path,
        seed: int,
        officer: Actor = OFFICER,
        *,
        numbered_from: int | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.officer = officer
        self.db = open_database(data_dir)
        if numbered_from is not None:
            # Before enrolment a desktop numbers documents from its own counters; desktops
            # that will share a server are given ranges of their own.
            with self.db.unit_of_work() as session:
                for prefix in PREFIXES:
                    name = f"{prefix}|{financial_year(TODAY)}"
                    session.merge(NumberCounter(name=name, value=numbered_from))
        self.work = Workload(self.db, random.Random(seed), officer)
        self._client: SyncClient | None = None

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        self.db.close()

    def enrol(self, server_url: str) -> None:
        enrol_device(
            self.db,
            server_url=server_url,
            login=self.officer.login,
            password=PASSWORD,
            device_name=f"{self.officer.login} laptop",
        )

    @property
    def device_id(self) -> str:
        with self.db.read() as session:
            state = session.get(SyncState, 1)
            assert state is not None
            return state.device_id

    def pending(self) -> set[int]:
        """The outbox operations not yet answered."""
        with self.db.read() as session:
            return set(
                session.scalars(
                    select(OutboxOperation.seq).where(OutboxOperation.state == "PENDING")
                )
            )

    def sync(self) -> str:
        """One round; the reason it stopped early, or "" when it went through."""
        if self._client is None:
            self._client = connect(self.db)
        return sync_round(self.db, self._client)


def desktop_forever(data_dir: str, seed: str, rounds: str = "500") -> int:
    """The launcher's entry for a desktop child: work and sync until killed. Returning at
    all (exit 3) means no kill came."""
    desktop = Desktop(Path(data_dir), seed=int(seed))
    for _ in range(int(rounds)):
        desktop.work.step()
        desktop.sync()
    desktop.close()
    return 3


def sync_round(db: Database, client: SyncClient) -> str:
    try:
        report = sync_once(db, client)
    except SyncError as error:
        return f"{type(error).__name__}: {error}"
    except httpx.TransportError as error:
        # A photo PUT lets httpx's own error out of sync_once (not an Unreachable).
        return f"{ESCAPED}{type(error).__name__}: {error}"
    return report.error


def answered(server: ServerDatabase, device_id: str) -> set[int]:
    """The operations of a device the server has applied (its stored answers)."""
    with server.read() as session:
        return set(
            session.scalars(
                select(DeviceOperation.seq).where(DeviceOperation.device_id == device_id)
            )
        )


# --- the tally -----------------------------------------------------------------------------


@dataclass
class Tally:
    """What the desktops made against what the server holds."""

    local_records: int = 0
    server_records: int = 0
    operations: int = 0  # outbox operations of every desktop
    device_operations: int = 0  # the server's stored answers
    changes: int = 0
    photos: int = 0
    lost: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    unconfirmed: Counter[str] = field(default_factory=Counter)  # outbox state → count
    # Operations that re-sent a record's content unchanged (answered `applied` at the version
    # the server had, so no change follows them, and no pull confirms them).
    unchanged_resends: Counter[str] = field(default_factory=Counter)  # outbox state → count
    versions: int = 0  # the changes the operations should have made
    statuses: Counter[str] = field(default_factory=Counter)  # device_operation.status
    held: int = 0
    change_gaps: int = 0

    def line(self) -> str:
        return (
            f"records {self.local_records} local / {self.server_records} server, "
            f"operations {self.operations} / device_operation {self.device_operations}, "
            f"changes {self.changes}, photos {self.photos}, lost {len(self.lost)}, "
            f"duplicates {len(self.duplicates)}, unconfirmed {sum(self.unconfirmed.values())}, "
            f"unchanged re-sends {sum(self.unchanged_resends.values())} "
            f"({dict(self.unchanged_resends)}), held {self.held}, "
            f"change seq gaps {self.change_gaps}"
        )


@dataclass(frozen=True)
class SentOp:
    seq: int
    content_hash: str
    state: str


def _expected(
    db: Database, check_made: bool
) -> tuple[dict[tuple[str, str], list[SentOp]], list[str]]:
    """The operations of each record in the outbox, and (`check_made`: a desktop that holds
    only its own records) the local records that left the draft state without an operation
    (lost before they could be sent)."""
    per_record: dict[tuple[str, str], list[SentOp]] = defaultdict(list)
    with db.read() as session:
        for op in session.scalars(select(OutboxOperation).order_by(OutboxOperation.seq)):
            per_record[(op.record_type, op.record_id)].append(
                SentOp(op.seq, op.content_hash, op.state)
            )
        # Drafts stay on the device; a project goes out with its first estimate.
        sent = select(Estimate).where(Estimate.status != Status.DRAFTED.value)
        made = [
            *(
                ("project", i)
                for i in session.scalars(
                    select(Project.id).where(
                        Project.id.in_(sent.with_only_columns(Estimate.project_id))
                    )
                )
            ),
            *(("work_order", i) for i in session.scalars(select(WorkOrder.id))),
            *(("estimate", i) for i in session.scalars(sent.with_only_columns(Estimate.id))),
            *(
                ("measurement_book", i)
                for i in session.scalars(
                    select(MeasurementBook.id).where(MeasurementBook.status != Status.DRAFTED.value)
                )
            ),
        ]
    if not check_made:
        return dict(per_record), []
    missing = [
        f"{kind} {rid}: made, not in the outbox"
        for kind, rid in made
        if (kind, rid) not in per_record
    ]
    return dict(per_record), missing


def tally(
    server: ServerDatabase,
    desktops: list[Database],
    photo_store: Path | None,
    *,
    check_made: bool = True,
) -> Tally:
    result = Tally()
    with server.read() as session:
        records = {r.record_id: r for r in session.scalars(select(Record))}
        session.expunge_all()
        changes = list(session.execute(select(Change.seq, Change.record_id, Change.version)))
        answers = {
            (d, s): status
            for d, s, status in session.execute(
                select(DeviceOperation.device_id, DeviceOperation.seq, DeviceOperation.status)
            )
        }
        result.held = len(list(session.scalars(select(HeldOperation.id))))
    result.server_records = len(records)
    result.changes = len(changes)
    result.device_operations = len(answers)
    result.statuses = Counter(answers.values())
    versions: dict[str, list[int]] = defaultdict(list)
    for _seq, record_id, version in changes:
        versions[record_id].append(version)
    seqs = sorted(seq for seq, _r, _v in changes)
    result.change_gaps = sum(1 for a, b in itertools.pairwise(seqs) if b != a + 1)
    seen_records: set[str] = set()
    for db in desktops:
        with db.read() as session:
            state = session.get(SyncState, 1)
            assert state is not None
            device = state.device_id
        per_record, missing = _expected(db, check_made)
        result.lost.extend(missing)
        for (kind, record_id), ops in per_record.items():
            seen_records.add(record_id)
            result.local_records += 1
            result.operations += len(ops)
            new_content = 0
            for before, op in zip([None, *ops], ops, strict=False):
                if (device, op.seq) not in answers:
                    result.lost.append(f"operation {op.seq} of {kind} {record_id}: no answer")
                unchanged = before is not None and before.content_hash == op.content_hash
                new_content += not unchanged
                if unchanged:
                    result.unchanged_resends[op.state] += 1
                elif op.state != "CONFIRMED":
                    result.unconfirmed[op.state] += 1
            result.versions += new_content
            held = record_id in records and records[record_id]
            if not held:
                result.lost.append(f"{kind} {record_id}: not on the server")
            elif held.content_hash != ops[-1].content_hash:
                result.lost.append(f"{kind} {record_id}: the server has another content")
            # One change per new content, versions 1..n: a second application shows here.
            got = sorted(versions.get(record_id, []))
            if got != list(range(1, new_content + 1)):
                result.duplicates.append(
                    f"{kind} {record_id}: versions {got} for {new_content} contents"
                )
        known = {(device, op.seq) for ops in per_record.values() for op in ops}
        result.duplicates.extend(
            f"device_operation {s} of {d}: no such outbox operation"
            for d, s in answers
            if d == device and (d, s) not in known
        )
    result.duplicates.extend(
        f"record {record_id}: made by no desktop"
        for record_id in records
        if record_id not in seen_records
    )
    if photo_store is not None:
        result.photos = _check_photos(desktops, photo_store, result)
    return result


def tally_office(office: HeadOffice, desktops: list[Database], *, check_made: bool = True) -> Tally:
    database = office.database()
    try:
        return tally(database, desktops, office.settings.storage_dir, check_made=check_made)
    finally:
        database.close()


def assert_exactly_once(result: Tally) -> None:
    """Nothing lost, nothing applied twice, everything sent confirmed by a pull."""
    assert result.lost == []
    assert result.duplicates == []
    assert result.unconfirmed == {}
    assert result.held == 0
    assert set(result.statuses) == {"applied"}
    assert result.device_operations == result.operations
    assert result.changes == result.versions
    assert result.local_records == result.server_records
    assert result.change_gaps == 0


def _check_photos(desktops: list[Database], store: Path, result: Tally) -> int:
    """Every photo of a sent MB is stored once on the server, under its own SHA-256."""
    import hashlib

    stored = {p.name: p for p in store.rglob("*") if p.is_file() and ".uploads" not in p.parts}
    count = 0
    for db in desktops:
        with db.read() as session:
            shas = set(
                session.scalars(
                    select(MbPhoto.sha256)
                    .join(MeasurementBook, MeasurementBook.id == MbPhoto.mb_id)
                    .where(MeasurementBook.status != Status.DRAFTED.value)
                )
            )
        for sha in shas:
            count += 1
            path = stored.get(sha)
            if path is None:
                result.lost.append(f"photo {sha[:12]}: not on the server")
            elif hashlib.sha256(path.read_bytes()).hexdigest() != sha:
                result.lost.append(f"photo {sha[:12]}: damaged on the server")
    return count
