"""Photo upload benchmark against the budget of issue 5 §6 (2-core machine):

- the upload (`SyncClient.upload_photo`: a photo of at most one chunk whole in one
  `PUT /photos/{sha256}`, a larger one `POST /uploads` then a PUT per chunk; the hash checked
  at the end, the photo flushed to disk before the answer) moves photos at ≥ 80 % of the
  throughput of a plain HTTP PUT of the same bytes on the same link

All go to one `uvicorn` process on loopback serving `mukta_server`'s app with bench-only
endpoints beside it (bench/sync_photo_app.py): `PUT /bench/plain` (the budget's reference,
the bytes thrown away) and `PUT /bench/durable` (the bytes stored as durably as a photo:
written, fsync, rename, directory fsync; no token, no hash), which shows what storing costs
on this disk whatever the protocol. The photos are random bytes (as incompressible as JPEG),
a new set each round so no upload is answered "already there"; the rounds alternate the
three so all meet the same machine load.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from mukta_desktop.sync.client import SyncClient
from mukta_server.uploads import CHUNK_SIZE

from .sync_photo_app import DURABLE_PATH, PLAIN_PATH
from .sync_support import (
    HEADERS,
    enrol,
    initialise_head_office,
    login_for,
    machine_note,
    report_line,
    serve,
    ulb_codes,
)

BUDGET_RATIO = 0.80
MB = 1_000_000


@dataclass(frozen=True)
class PhotoConfig:
    photos: int = 20
    size: int = 3 * MB
    rounds: int = 3


@dataclass
class PhotoResult:
    config: PhotoConfig
    plain_seconds: list[float] = field(default_factory=list)
    durable_seconds: list[float] = field(default_factory=list)
    upload_seconds: list[float] = field(default_factory=list)
    plain_bytes: int = 0  # as the plain endpoint counted them
    uploaded_bytes: int = 0  # of photos the server then had
    chunks: int = 0

    def _rate(self, seconds: list[float]) -> float:
        per_round = self.config.photos * self.config.size
        return per_round / statistics.median(seconds) / MB if seconds else 0.0

    @property
    def plain_mb_s(self) -> float:
        return self._rate(self.plain_seconds)

    @property
    def durable_mb_s(self) -> float:
        return self._rate(self.durable_seconds)

    @property
    def upload_mb_s(self) -> float:
        return self._rate(self.upload_seconds)

    @property
    def ratio(self) -> float:
        return self.upload_mb_s / self.plain_mb_s if self.plain_mb_s else 0.0

    @property
    def durable_ratio(self) -> float:
        return self.durable_mb_s / self.plain_mb_s if self.plain_mb_s else 0.0

    @property
    def upload_of_durable(self) -> float:
        return self.upload_mb_s / self.durable_mb_s if self.durable_mb_s else 0.0


def _photos(folder: Path, config: PhotoConfig) -> list[tuple[Path, str]]:
    folder.mkdir(parents=True)
    made = []
    for number in range(config.photos):
        data = os.urandom(config.size)
        path = folder / f"photo-{number:02d}.jpg"
        path.write_bytes(data)
        made.append((path, hashlib.sha256(data).hexdigest()))
    return made


def run(config: PhotoConfig, work: Path) -> PhotoResult:
    result = PhotoResult(config)
    url = f"sqlite:///{work / 'server.sqlite3'}"
    ulb = ulb_codes(1)[0]
    initialise_head_office(url, [ulb])
    with serve(url, work / "photos", workers=1, app="bench.sync_photo_app:app") as served:
        token = enrol(served.api, login_for(ulb), "Bench camera laptop")
        with (
            httpx.Client(base_url=served.base_url, headers=HEADERS, timeout=60) as plain,
            SyncClient(served.base_url, token=token, timeout=60) as client,
        ):
            for number in range(config.rounds):
                photos = _photos(work / f"round-{number}", config)
                started = time.perf_counter()
                for path, _sha in photos:
                    answer = plain.put(PLAIN_PATH, content=path.read_bytes())
                    answer.raise_for_status()
                    result.plain_bytes += int(answer.json()["received"])
                result.plain_seconds.append(time.perf_counter() - started)
                started = time.perf_counter()
                for path, _sha in photos:
                    plain.put(DURABLE_PATH, content=path.read_bytes()).raise_for_status()
                result.durable_seconds.append(time.perf_counter() - started)
                started = time.perf_counter()
                for path, sha in photos:
                    result.chunks += client.upload_photo(path, sha, "image/jpeg")
                result.upload_seconds.append(time.perf_counter() - started)
                result.uploaded_bytes += sum(
                    path.stat().st_size for path, sha in photos if client.photo_exists(sha)
                )
    return result


def print_result(result: PhotoResult) -> None:
    config = result.config
    print(
        f"(photo upload: {config.photos} photos of {config.size / MB:.1f} MB, median of "
        f"{config.rounds} rounds, chunks of {CHUNK_SIZE // 1024} KiB, "
        f"{result.chunks / (config.photos * config.rounds):.0f} PUT(s) a photo; "
        f"1 server process on loopback; {machine_note()})"
    )
    report_line("plain HTTP PUT", f"{result.plain_mb_s:.1f} MB/s", "", None)
    report_line("PUT stored durably (write, fsync, rename)", f"{result.durable_mb_s:.1f} MB/s",
                f"{result.durable_ratio * 100:.0f} % of plain", None)  # fmt: skip
    report_line("photo upload (SyncClient.upload_photo)", f"{result.upload_mb_s:.1f} MB/s",
                f"{result.upload_of_durable * 100:.0f} % of durable", None)  # fmt: skip
    report_line(
        "resumable / plain",
        f"{result.ratio * 100:.0f} %",
        f"budget ≥ {BUDGET_RATIO * 100:.0f} %",
        result.ratio >= BUDGET_RATIO,
    )


def main(argv: Sequence[str] | None = None) -> None:
    defaults = PhotoConfig()
    parser = argparse.ArgumentParser(description="Photo upload throughput vs a plain PUT.")
    parser.add_argument("--photos", type=int, default=defaults.photos)
    parser.add_argument("--megabytes", type=float, default=defaults.size / MB)
    parser.add_argument("--rounds", type=int, default=defaults.rounds)
    args = parser.parse_args(argv)
    config = PhotoConfig(args.photos, int(args.megabytes * MB), args.rounds)
    with tempfile.TemporaryDirectory(prefix="mukta-photo-bench-") as work:
        print_result(run(config, Path(work)))


if __name__ == "__main__":
    main()
