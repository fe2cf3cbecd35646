"""Demo site photos drawn by the app itself, with the EXIF a phone camera would write.

The demo Measurement Books need pictures, and shipping real photos would mean shipping someone's
site (and their rights). These are drawn: a sky and ground gradient, a brick wall or a road,
and "DEMO PHOTO n" in a corner so nobody mistakes one for evidence. The capture time and GPS
position are written as EXIF, so the demo exercises the same reading path as a real camera.
Everything is deterministic: the same arguments give the same bytes.
"""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from typing import Final

from PIL import ExifTags, Image, ImageDraw, ImageFont, ImageOps, TiffImagePlugin, features

DEMO_MAKE: Final = "MUKTA demo"
_QUALITY: Final = 90


def draw_site_photo(
    index: int,
    *,
    taken_at: datetime,
    latitude: Decimal,
    longitude: Decimal,
    size: tuple[int, int] = (1600, 1200),
) -> bytes:
    """A JPEG of a simple drawn site (odd index: a brick wall, even: a road) with its EXIF."""
    width, height = size
    # Seeded by the index alone: the same photo number always looks the same.
    rng = random.Random(index)
    horizon = height * 11 // 20
    image = Image.new("RGB", size)
    sky = ImageOps.colorize(
        Image.linear_gradient("L").resize((width, horizon)), (120, 170, 225), (215, 232, 245)
    )
    ground = ImageOps.colorize(
        Image.linear_gradient("L").resize((width, height - horizon)), (160, 140, 105), (95, 80, 60)
    )
    image.paste(sky, (0, 0))
    image.paste(ground, (0, horizon))
    draw = ImageDraw.Draw(image)
    if index % 2:
        _brick_wall(draw, rng, width, height, horizon)
    else:
        _road(draw, rng, width, height, horizon)
    _label(draw, f"DEMO PHOTO {index}", width, height)
    return write_jpeg_with_exif(
        image, taken_at=taken_at, latitude=latitude, longitude=longitude, make=DEMO_MAKE
    )


def write_jpeg_with_exif(
    image: Image.Image,
    *,
    taken_at: datetime | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    orientation: int = 1,
    offset: str | None = "+05:30",
    make: str | None = DEMO_MAKE,
) -> bytes:
    """`image` as a JPEG carrying camera-style EXIF.

    `taken_at` is written as DateTimeOriginal (and DateTime). With an `offset` ("+05:30") an
    aware `taken_at` is first expressed in that offset and OffsetTimeOriginal is written;
    with `offset=None` the wall-clock time is written bare, as cameras without the tag do.
    Latitude and longitude (decimal degrees, negative south / west) become the GPS IFD as
    exact degree / minute / second rationals.
    """
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    if make is not None:
        exif[ExifTags.Base.Make] = make
    if taken_at is not None:
        moment = taken_at
        if offset is not None and taken_at.tzinfo is not None:
            moment = taken_at.astimezone(_parse_offset(offset))
        stamp = moment.strftime("%Y:%m:%d %H:%M:%S")
        exif[ExifTags.Base.DateTime] = stamp
        details: dict[int, object] = {ExifTags.Base.DateTimeOriginal: stamp}
        if offset is not None:
            details[ExifTags.Base.OffsetTimeOriginal] = offset
        exif[ExifTags.IFD.Exif] = details
    if latitude is not None or longitude is not None:
        gps: dict[int, object] = {ExifTags.GPS.GPSVersionID: b"\x02\x03\x00\x00"}
        if latitude is not None:
            gps[ExifTags.GPS.GPSLatitudeRef] = "S" if latitude < 0 else "N"
            gps[ExifTags.GPS.GPSLatitude] = _dms(latitude)
        if longitude is not None:
            gps[ExifTags.GPS.GPSLongitudeRef] = "W" if longitude < 0 else "E"
            gps[ExifTags.GPS.GPSLongitude] = _dms(longitude)
        exif[ExifTags.IFD.GPSInfo] = gps
    out = io.BytesIO()
    picture = image if image.mode in ("L", "RGB") else image.convert("RGB")
    picture.save(out, "JPEG", quality=_QUALITY, exif=exif.tobytes())
    return out.getvalue()


def _parse_offset(offset: str) -> timezone:
    sign = -1 if offset.startswith("-") else 1
    hours, minutes = offset.lstrip("+-").split(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))


def _dms(value: Decimal) -> tuple[TiffImagePlugin.IFDRational, ...]:
    """Degrees, minutes, seconds as EXIF rationals, exactly (Fraction of the Decimal, no float)."""
    total = abs(Fraction(value))
    degrees = int(total)
    minutes = int((total - degrees) * 60)
    seconds = (total - degrees - Fraction(minutes, 60)) * 3600
    return (
        TiffImagePlugin.IFDRational(degrees, 1),
        TiffImagePlugin.IFDRational(minutes, 1),
        TiffImagePlugin.IFDRational(seconds.numerator, seconds.denominator),
    )


def _brick_wall(
    draw: ImageDraw.ImageDraw, rng: random.Random, width: int, height: int, horizon: int
) -> None:
    """A half-built brick wall standing on the ground, with mortar joints and a few shades."""
    course = max(8, height // 30)
    brick = course * 3
    top = horizon - 6 * course
    bottom = height - height // 8
    left, right = width // 10, width - width // 10
    draw.rectangle((left, top, right, bottom), fill=(205, 200, 190))  # mortar
    for row, y in enumerate(range(top, bottom, course)):
        shift = 0 if row % 2 else brick // 2
        for x in range(left - shift, right, brick):
            shade = rng.randint(-20, 20)
            colour = (170 + shade, 70 + shade // 2, 50 + shade // 3)
            box = (max(left, x + 2), y + 2, min(right, x + brick - 2), min(bottom, y + course - 2))
            if box[0] < box[2] and box[1] < box[3]:
                draw.rectangle(box, fill=colour)


def _road(
    draw: ImageDraw.ImageDraw, rng: random.Random, width: int, height: int, horizon: int
) -> None:
    """A road running to the horizon, with kerbs and a dashed centre line."""
    middle = width // 2
    far = width // 40
    draw.polygon(
        [(middle - far, horizon), (middle + far, horizon), (width, height), (0, height)],
        fill=(70, 72, 75),
    )
    draw.line([(middle - far, horizon), (0, height)], fill=(230, 230, 225), width=width // 100)
    draw.line([(middle + far, horizon), (width, height)], fill=(230, 230, 225), width=width // 100)
    steps = 12
    for step in range(0, steps, 2):
        y0 = horizon + (height - horizon) * step * step // (steps * steps)
        y1 = horizon + (height - horizon) * (step + 1) * (step + 1) // (steps * steps)
        half = max(1, (width // 150) * (step + 1) // steps)
        draw.rectangle((middle - half, y0, middle + half, y1), fill=(245, 210, 60))
    for _ in range(40):  # gravel on the shoulders
        x = rng.randrange(width)
        y = rng.randrange(horizon + (height - horizon) // 3, height)
        radius = rng.randint(2, max(3, width // 300))
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(120, 110, 95))


def _label(draw: ImageDraw.ImageDraw, text: str, width: int, height: int) -> None:
    """`text` in white on a dark band in the bottom-left corner."""
    points = max(12, height // 20)
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont = (
        ImageFont.load_default(size=points)
        if features.check("freetype2")
        else ImageFont.load_default()
    )
    margin = points // 2
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    x, y = margin, height - margin - (bottom - top) - margin
    draw.rectangle(
        (x - margin // 2, y - margin // 2, x + (right - left) + margin // 2, height - margin // 2),
        fill=(20, 20, 20),
    )
    draw.text((x - left, y - top), text, font=font, fill=(255, 255, 255))
