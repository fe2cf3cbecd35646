"""Photo benchmark against the budget of the MB photos issue (2-core machine):

- importing a 12-megapixel JPEG (check, decode, downscale to 2560 px, re-encode, thumbnail,
  SHA-256 of the original and of the stored file, atomic write to the photo store): ≤ 1.5 s

The picture is drawn here, 4000 × 3000, with shapes, text-like detail and sensor-like noise so
that it compresses like a camera photo (a few MB), not like a flat test card. It carries an
EXIF orientation of 6 so turning the picture upright is part of the timed work.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from mukta_desktop.domain.dates import INDIA
from mukta_desktop.services.demo_photos import write_jpeg_with_exif
from mukta_desktop.services.photo_files import PhotoStore, prepare_photo

SIZE = (4000, 3000)
RUNS = 5


def camera_like_jpeg() -> bytes:
    """A detailed 12 MP JPEG: gradients, many shapes, then noise blended over everything."""
    rng = random.Random(12)
    width, height = SIZE
    image = Image.linear_gradient("L").resize(SIZE).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(2500):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randint(10, 300), rng.randint(10, 300)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        if rng.random() < 0.5:
            draw.rectangle((x, y, x + w, y + h), fill=colour)
        else:
            draw.ellipse((x, y, x + w, y + h), outline=colour, width=rng.randint(1, 6))
    # Sensor noise: what makes a real photo a few MB rather than a few hundred kB.
    noise = Image.merge("RGB", [Image.effect_noise(SIZE, sigma) for sigma in (40, 45, 50)])
    image = Image.blend(image, noise, 0.25)
    return write_jpeg_with_exif(
        image,
        taken_at=datetime(2026, 11, 21, 10, 30, tzinfo=INDIA),
        latitude=Decimal("20.296059"),
        longitude=Decimal("85.824539"),
        orientation=6,
        make="bench camera",
    )


def _report(name: str, value_s: float, budget_s: float) -> None:
    verdict = "ok" if value_s <= budget_s else "OVER BUDGET"
    print(f"{name:<58} {value_s:>9.2f} s    budget {budget_s:>5.1f} s   {verdict}")


def _time(work: Any, runs: int = RUNS) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        source = work / "IMG_0001.jpg"
        source.write_bytes(camera_like_jpeg())
        print(
            f"(drew a {SIZE[0]} x {SIZE[1]} JPEG of {source.stat().st_size / 1e6:.1f} MB "
            f"in {time.perf_counter() - started:.1f} s)"
        )
        store = PhotoStore(work / "photos")
        results = []

        def import_photo() -> None:
            prepared = prepare_photo(source)
            store.put(prepared.data, prepared.media_type)
            store.put(prepared.thumbnail, prepared.thumbnail_media_type)
            results.append(prepared)

        _report(
            f"photo import 12 MP JPEG (median of {RUNS})",
            _time(import_photo),
            1.5,
        )
        last = results[-1]
        print(
            f"(stored {last.width} x {last.height} {last.media_type}, "
            f"{len(last.data) / 1e6:.1f} MB; thumbnail {len(last.thumbnail) / 1e3:.0f} kB; "
            f"same hash every run: {len({r.sha256 for r in results}) == 1})"
        )


if __name__ == "__main__":
    main()
