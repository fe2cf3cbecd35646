"""The sync benchmarks run end to end with tiny parameters (a real `serve` on loopback,
SQLite) and count real work: operations applied, requests and bytes, photos stored. No
timing is asserted: that is what `make bench` prints against the budgets."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import sync_load_bench, sync_noop_bench, sync_photo_bench


def test_the_load_bench_applies_operations_without_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = sync_load_bench.LoadConfig(
        devices=3, ulbs=2, seconds=2, batch=3, rate=0, workers=1, database="sqlite"
    )
    result = sync_load_bench.run(config, tmp_path)
    assert result.applied > 0
    assert result.errors == {}
    assert result.pushes > 0
    assert result.pulls > 0
    assert len(result.push_ms) == result.pushes
    # Devices of one ULB see each other's projects (and their own) by cursor.
    assert result.changes_pulled >= result.applied
    sync_load_bench.print_result(result)
    assert "operations applied" in capsys.readouterr().out


def test_the_noop_bench_counts_each_request_and_its_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = sync_noop_bench.run(tmp_path)
    assert result.noop_report.ok, result.noop_report.error
    assert result.noop, "a sync round asks the server at least for changes"
    assert all(e.status == 200 and e.sent > 0 and e.received > 0 for e in result.noop)
    assert "/api/v1/changes" in [e.path for e in result.noop]
    assert result.noop_bytes == sum(e.sent + e.received for e in result.noop)
    sync_noop_bench.print_result(result)
    assert "no-op sync requests" in capsys.readouterr().out


def test_the_photo_bench_uploads_every_photo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = sync_photo_bench.PhotoConfig(photos=2, size=300_000, rounds=1)
    result = sync_photo_bench.run(config, tmp_path)
    sent = config.photos * config.size * config.rounds
    assert result.plain_bytes == sent
    assert result.uploaded_bytes == sent  # the server has every photo, hash checked
    assert result.chunks >= config.photos
    assert result.upload_mb_s > 0
    assert result.plain_mb_s > 0
    sync_photo_bench.print_result(result)
    assert "resumable / plain" in capsys.readouterr().out
