"""Site photos: checking, EXIF time / GPS / orientation, limits, storage by content hash."""

from __future__ import annotations

import hashlib
import io
import os
import random
import struct
import zlib
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import ExifTags, Image, TiffImagePlugin

from mukta_desktop.domain.dates import INDIA
from mukta_desktop.domain.errors import NotFound, ValidationError
from mukta_desktop.services import photo_files
from mukta_desktop.services.demo_photos import draw_site_photo, write_jpeg_with_exif
from mukta_desktop.services.photo_files import (
    MAX_INPUT_BYTES,
    MAX_LONG_SIDE,
    MAX_STORED_BYTES,
    THUMBNAIL_LONG_SIDE,
    PhotoStore,
    PreparedPhoto,
    file_sha256,
    prepare_photo,
)

RED = (230, 20, 20)
BLUE = (20, 40, 220)
TAKEN = datetime(2026, 11, 21, 10, 30, 15, tzinfo=INDIA)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)  # fast: some test pictures are pure noise
    return out.getvalue()


def _noise(size: tuple[int, int], seed: int = 7) -> Image.Image:
    """Incompressible pixels (seeded, so every run is the same picture)."""
    return Image.frombytes("RGB", size, random.Random(seed).randbytes(size[0] * size[1] * 3))


def _refusal(path: Path) -> str:
    with pytest.raises(ValidationError) as caught:
        prepare_photo(path)
    assert caught.value.field == "photo"
    return caught.value.message


def _pixel(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    value = image.getpixel(xy)
    assert isinstance(value, tuple)
    return value


def _grey(image: Image.Image, xy: tuple[int, int]) -> int:
    value = image.getpixel(xy)
    assert isinstance(value, int)
    return value


def _open(photo: PreparedPhoto) -> Image.Image:
    image = Image.open(io.BytesIO(photo.data))
    image.load()
    return image


# --- orientation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("orientation", "size", "marker_at"),
    [
        (1, (400, 200), (25, 25)),  # as stored: top-left
        (3, (400, 200), (375, 175)),  # turned 180°: bottom-right
        (6, (200, 400), (175, 25)),  # turned 90° clockwise: top-right
        (8, (200, 400), (25, 375)),  # turned 90° anticlockwise: bottom-left
    ],
)
def test_exif_orientation_is_applied(
    tmp_path: Path, orientation: int, size: tuple[int, int], marker_at: tuple[int, int]
) -> None:
    stored = Image.new("RGB", (400, 200), BLUE)
    stored.paste(RED, (0, 0, 50, 50))  # a red marker in the stored top-left corner
    path = _write(tmp_path / "turned.jpg", write_jpeg_with_exif(stored, orientation=orientation))

    photo = prepare_photo(path)

    assert (photo.width, photo.height) == size
    picture = _open(photo)
    assert picture.size == size
    red, _, blue = _pixel(picture, marker_at)
    assert red > 180
    assert blue < 80
    # The stored file carries no EXIF, so no viewer can turn it a second time.
    assert dict(picture.getexif()) == {}
    for corner in {(25, 25), (size[0] - 25, 25), (25, size[1] - 25), (size[0] - 25, size[1] - 25)}:
        if corner != marker_at:
            red, _, blue = _pixel(picture, corner)
            assert blue > 180
            assert red < 80


# --- time and position ----------------------------------------------------------------------


def test_gps_and_time_are_read_exactly(tmp_path: Path) -> None:
    data = write_jpeg_with_exif(
        Image.new("RGB", (64, 48), BLUE),
        taken_at=TAKEN,
        latitude=Decimal("20.296059"),
        longitude=Decimal("85.824539"),
    )
    photo = prepare_photo(_write(tmp_path / "site.jpg", data))

    assert photo.latitude == Decimal("20.296059")
    assert photo.longitude == Decimal("85.824539")
    assert photo.latitude is not None
    assert photo.latitude.as_tuple().exponent == -6
    assert photo.taken_at == TAKEN
    assert photo.taken_at is not None
    assert photo.taken_at.utcoffset() == timedelta(hours=5.5)


def test_south_and_west_are_negative(tmp_path: Path) -> None:
    data = write_jpeg_with_exif(
        Image.new("RGB", (64, 48), BLUE),
        latitude=Decimal("-33.856784"),
        longitude=Decimal("-70.650000"),
    )
    photo = prepare_photo(_write(tmp_path / "south.jpg", data))

    assert photo.latitude == Decimal("-33.856784")
    assert photo.longitude == Decimal("-70.650000")
    assert photo.taken_at is None


def test_time_without_an_offset_is_india_time(tmp_path: Path) -> None:
    data = write_jpeg_with_exif(
        Image.new("RGB", (64, 48), BLUE), taken_at=datetime(2026, 3, 1, 7, 5, 0), offset=None
    )
    photo = prepare_photo(_write(tmp_path / "plain.jpg", data))

    assert photo.taken_at == datetime(2026, 3, 1, 7, 5, 0, tzinfo=INDIA)
    assert photo.taken_at is not None
    assert photo.taken_at.tzinfo is INDIA
    assert photo.latitude is None
    assert photo.longitude is None


def test_time_keeps_the_camera_offset(tmp_path: Path) -> None:
    taken = datetime(2026, 3, 1, 7, 5, 0, tzinfo=timezone(timedelta(hours=-3)))
    data = write_jpeg_with_exif(Image.new("RGB", (64, 48), BLUE), taken_at=taken, offset="-03:00")
    photo = prepare_photo(_write(tmp_path / "away.jpg", data))

    assert photo.taken_at == taken
    assert photo.taken_at is not None
    assert photo.taken_at.utcoffset() == timedelta(hours=-3)


def _with_gps(gps: dict[int, object]) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.IFD.GPSInfo] = gps
    out = io.BytesIO()
    Image.new("RGB", (32, 32), BLUE).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_gps_rounds_half_up_from_exact_rationals(tmp_path: Path) -> None:
    rational = TiffImagePlugin.IFDRational
    # 20° 0' 0.0018" is exactly 20.0000005°: half up gives 20.000001 (half even would not).
    # 85° 30' 0" is exactly 85.5°.
    data = _with_gps(
        {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (rational(20, 1), rational(0, 1), rational(18, 10000)),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (rational(85, 1), rational(30, 1), rational(0, 1)),
        }
    )
    photo = prepare_photo(_write(tmp_path / "half.jpg", data))

    assert photo.latitude == Decimal("20.000001")
    assert photo.longitude == Decimal("85.500000")


def test_gps_without_a_fix_is_none(tmp_path: Path) -> None:
    rational = TiffImagePlugin.IFDRational
    # Cameras without a fix write 0/0; the photo is kept, the position is unknown.
    data = _with_gps(
        {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (rational(0, 0), rational(0, 0), rational(0, 0)),
        }
    )
    photo = prepare_photo(_write(tmp_path / "nofix.jpg", data))

    assert photo.latitude is None
    assert photo.longitude is None


# --- refusals -------------------------------------------------------------------------------


def test_a_text_file_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "site.txt", b"measurements of the drain, ward 7\n")
    assert _refusal(path) == "site.txt is not a JPEG or PNG picture."


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    assert (
        _refusal(_write(tmp_path / "empty.jpg", b"")) == "empty.jpg is not a JPEG or PNG picture."
    )


@pytest.mark.parametrize(
    ("name", "kind"),
    [("anim.gif", "GIF"), ("renamed.jpg", "GIF"), ("scan.bmp", "BMP"), ("phone.webp", "WEBP")],
)
def test_other_picture_formats_are_refused(tmp_path: Path, name: str, kind: str) -> None:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), BLUE).save(out, kind)
    assert _refusal(_write(tmp_path / name, out.getvalue())) == (
        f"{name} is not a JPEG or PNG picture."
    )


def test_a_truncated_jpeg_is_refused(tmp_path: Path) -> None:
    out = io.BytesIO()
    _noise((800, 600)).save(out, "JPEG", quality=90)
    whole = out.getvalue()
    path = _write(tmp_path / "IMG_1.jpg", whole[: len(whole) // 2])

    assert _refusal(path) == "IMG_1.jpg is cut short (truncated); copy it again from the camera."


def test_a_truncated_png_is_refused(tmp_path: Path) -> None:
    whole = _png(_noise((300, 200)))
    path = _write(tmp_path / "scan.png", whole[: len(whole) // 2])

    assert _refusal(path) == "scan.png is cut short (truncated); copy it again from the camera."


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny real PNG whose IHDR is patched to claim `width` × `height` (valid CRC)."""
    data = bytearray(_png(Image.new("RGB", (8, 8), BLUE)))
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    # The CRC covers the chunk type and data: "IHDR" + 13 bytes.
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def test_a_decompression_bomb_is_refused_from_its_header(tmp_path: Path) -> None:
    path = _write(tmp_path / "big.png", _png_claiming(30000, 30000))

    assert _refusal(path) == (
        "big.png is 30000 × 30000 pixels; pictures above 120 megapixels are refused "
        "(it could exhaust memory)."
    )


def test_the_pixel_limit_is_ours_not_pillows(tmp_path: Path) -> None:
    # 121 MP is under Pillow's own error limit (179 MP): our header check refuses it.
    path = _write(tmp_path / "wide.png", _png_claiming(11000, 11000))
    assert _refusal(path).startswith("wide.png is 11000 × 11000 pixels;")


def test_a_jpeg_header_claiming_too_many_pixels_is_refused(tmp_path: Path) -> None:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), BLUE).save(out, "JPEG")
    data = bytearray(out.getvalue())
    frame = data.index(b"\xff\xc0")  # baseline start of frame: length, precision, height, width
    data[frame + 5 : frame + 9] = struct.pack(">HH", 11000, 12000)
    path = _write(tmp_path / "bomb.jpg", bytes(data))

    assert _refusal(path) == (
        "bomb.jpg is 12000 × 11000 pixels; pictures above 120 megapixels are refused "
        "(it could exhaust memory)."
    )


def test_a_file_over_50_mb_is_refused_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.jpg"
    path.write_bytes(b"")
    os.truncate(path, 64_172_851)  # sparse: 61.2 MB (MiB) on paper, nothing on disk

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", no_reading)
    monkeypatch.setattr(Path, "read_bytes", no_reading)
    assert _refusal(path) == "huge.jpg is 61.2 MB; photos over 50 MB are refused."


def test_a_file_just_over_the_limit_does_not_say_50_mb(tmp_path: Path) -> None:
    path = tmp_path / "edge.jpg"
    path.write_bytes(b"")
    os.truncate(path, MAX_INPUT_BYTES + 1)
    assert _refusal(path) == "edge.jpg is 50.1 MB; photos over 50 MB are refused."


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    assert _refusal(tmp_path / "gone.jpg") == (
        "gone.jpg was not found; it may have been moved or deleted."
    )


def test_a_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "DCIM").mkdir()
    assert _refusal(tmp_path / "DCIM") == "DCIM is not a file."


# --- sizes, formats, hashes -----------------------------------------------------------------


def test_a_12_mp_jpeg_is_downscaled_to_2560(tmp_path: Path) -> None:
    image = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    path = _write(tmp_path / "camera.jpg", write_jpeg_with_exif(image, taken_at=TAKEN))

    photo = prepare_photo(path)

    assert (photo.width, photo.height) == (MAX_LONG_SIDE, 1920)
    assert _open(photo).size == (2560, 1920)
    assert photo.media_type == "image/jpeg"
    assert photo.original_bytes == path.stat().st_size
    assert photo.original_name == "camera.jpg"


def test_a_large_jpeg_uses_reduced_decoding_and_keeps_the_aspect(tmp_path: Path) -> None:
    # 6000 × 4500 decodes at half scale (3000 × 2250) before the final resize.
    image = Image.linear_gradient("L").resize((6000, 4500)).convert("RGB")
    photo = prepare_photo(_write(tmp_path / "dslr.jpg", write_jpeg_with_exif(image)))
    assert (photo.width, photo.height) == (2560, 1920)


def test_a_noisy_png_over_5_mb_is_stored_as_jpeg_within_5_mb(tmp_path: Path) -> None:
    picture = _noise((1800, 1400)).convert("RGBA")
    # A transparent band on the left: as JPEG it must come out white, not black.
    alpha = Image.new("L", picture.size, 255)
    alpha.paste(0, (0, 0, 160, 1400))
    picture.putalpha(alpha)
    path = _write(tmp_path / "noise.png", _png(picture))
    assert path.stat().st_size > MAX_STORED_BYTES

    photo = prepare_photo(path)

    assert photo.media_type == "image/jpeg"  # too big as PNG
    assert len(photo.data) <= MAX_STORED_BYTES
    stored = _open(photo)
    assert stored.format == "JPEG"
    assert stored.mode == "RGB"
    assert stored.size == (1800, 1400)
    assert min(_pixel(stored, (40, 700))) > 235


def _grain_jpeg(tmp_path: Path) -> Path:
    """A 2560 × 1920 JPEG of pure noise: about 3.7 MB once re-encoded at quality 85."""
    out = io.BytesIO()
    _noise((2560, 1920), seed=3).save(out, "JPEG", quality=100, subsampling=0)
    return _write(tmp_path / "grain.jpg", out.getvalue())


def test_a_jpeg_over_the_limit_steps_its_quality_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _grain_jpeg(tmp_path)
    at_85 = prepare_photo(path)
    assert MAX_STORED_BYTES >= len(at_85.data) > 2_600_000  # fits at the first step

    # With a lower limit the same picture needs lower qualities, at full size.
    monkeypatch.setattr(photo_files, "MAX_STORED_BYTES", 2_600_000)
    stepped = prepare_photo(path)

    assert len(stepped.data) <= 2_600_000
    assert (stepped.width, stepped.height) == (2560, 1920)
    assert stepped.sha256 != at_85.sha256


def test_past_the_lowest_quality_the_picture_shrinks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Quality 25 of this noise is about 1.2 MB: a 1 MB limit needs a smaller picture.
    monkeypatch.setattr(photo_files, "MAX_STORED_BYTES", 1_000_000)
    photo = prepare_photo(_grain_jpeg(tmp_path))

    assert len(photo.data) <= 1_000_000
    assert (photo.width, photo.height) == (1920, 1440)
    assert _open(photo).size == (1920, 1440)


def test_a_small_png_stays_png_with_its_alpha(tmp_path: Path) -> None:
    image = Image.new("RGBA", (300, 200), (*RED, 128))
    path = _write(tmp_path / "sketch.png", _png(image))

    photo = prepare_photo(path)

    assert photo.media_type == "image/png"
    stored = _open(photo)
    assert stored.format == "PNG"
    assert stored.mode == "RGBA"
    assert _pixel(stored, (10, 10)) == (*RED, 128)


def test_a_palette_png_with_transparency_keeps_it(tmp_path: Path) -> None:
    image = Image.new("P", (40, 40), 0)
    image.putpalette([255, 255, 255, *RED])
    image.paste(1, (20, 0, 40, 40))
    out = io.BytesIO()
    image.save(out, "PNG", transparency=0)
    photo = prepare_photo(_write(tmp_path / "plan.png", out.getvalue()))

    stored = _open(photo)
    assert stored.mode == "RGBA"
    assert _pixel(stored, (5, 5))[3] == 0
    assert _pixel(stored, (30, 5)) == (*RED, 255)


def test_a_16_bit_grey_png_is_scaled_not_clipped(tmp_path: Path) -> None:
    image = Image.new("I;16", (40, 40), 32896)  # about half of 65535
    photo = prepare_photo(_write(tmp_path / "grey16.png", _png(image)))

    stored = _open(photo)
    assert stored.mode == "L"
    assert 126 <= _grey(stored, (5, 5)) <= 130


def test_a_cmyk_jpeg_is_stored_as_rgb(tmp_path: Path) -> None:
    out = io.BytesIO()
    Image.new("CMYK", (64, 48), (0, 255, 255, 0)).save(out, "JPEG")
    photo = prepare_photo(_write(tmp_path / "print.jpg", out.getvalue()))

    stored = _open(photo)
    assert stored.mode == "RGB"
    red, green, blue = _pixel(stored, (5, 5))
    assert red > 200
    assert green < 60
    assert blue < 60


def test_hashes_and_thumbnail(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "site.jpg",
        draw_site_photo(
            1,
            taken_at=TAKEN,
            latitude=Decimal("20.296059"),
            longitude=Decimal("85.824539"),
        ),
    )

    photo = prepare_photo(path)

    assert photo.sha256 == hashlib.sha256(photo.data).hexdigest()
    assert photo.original_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert photo.original_sha256 == file_sha256(path)
    assert photo.sha256 != photo.original_sha256  # re-encoded without EXIF
    thumbnail = Image.open(io.BytesIO(photo.thumbnail))
    assert thumbnail.format == "JPEG"
    assert photo.thumbnail_media_type == "image/jpeg"
    assert thumbnail.size == (THUMBNAIL_LONG_SIDE, 240)


def test_the_same_file_twice_gives_the_same_photo(tmp_path: Path) -> None:
    out = io.BytesIO()
    _noise((900, 700)).save(out, "JPEG", quality=92)
    first = prepare_photo(_write(tmp_path / "a.jpg", out.getvalue()))
    second = prepare_photo(_write(tmp_path / "b.jpg", out.getvalue()))

    assert first.sha256 == second.sha256
    assert first.data == second.data
    assert first.thumbnail == second.thumbnail
    assert first.original_sha256 == second.original_sha256


# --- the store ------------------------------------------------------------------------------


def test_put_writes_under_the_hash_folders(tmp_path: Path) -> None:
    store = PhotoStore(tmp_path / "photos")
    data = b"\xff\xd8\xff not really a picture, the store does not care"
    sha = hashlib.sha256(data).hexdigest()

    returned, path = store.put(data, "image/jpeg")

    assert returned == sha
    assert path == tmp_path / "photos" / sha[0:2] / sha[2:4] / f"{sha}.jpg"
    assert path == store.path_for(sha, "image/jpeg")
    assert path.read_bytes() == data
    assert file_sha256(path) == sha
    assert store.exists(sha, "image/jpeg")
    assert not store.exists(sha, "image/png")
    assert store.read(sha, "image/jpeg") == data
    assert store.path_for(sha, "image/png").suffix == ".png"


def test_put_is_idempotent_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    store = PhotoStore(tmp_path / "photos")
    data = bytes(range(256)) * 50
    sha, path = store.put(data, "image/png")
    written = path.stat().st_mtime_ns

    assert store.put(data, "image/png") == (sha, path)
    assert path.stat().st_mtime_ns == written  # not written again
    files = [p for p in (tmp_path / "photos").rglob("*") if p.is_file()]
    assert files == [path]


def test_put_repairs_a_damaged_copy(tmp_path: Path) -> None:
    store = PhotoStore(tmp_path / "photos")
    data = b"the real content" * 100
    sha, path = store.put(data, "image/jpeg")
    path.write_bytes(b"x" * len(data))  # same size, wrong content

    with pytest.raises(ValidationError, match="is damaged"):
        store.read(sha, "image/jpeg")
    store.put(data, "image/jpeg")
    assert store.read(sha, "image/jpeg") == data


def test_read_of_a_missing_photo(tmp_path: Path) -> None:
    store = PhotoStore(tmp_path / "photos")
    with pytest.raises(NotFound, match="is missing from the photos folder"):
        store.read("ab" * 32, "image/jpeg")


@pytest.mark.parametrize(
    ("sha", "media_type"),
    [("../" * 21 + "x", "image/jpeg"), ("AB" * 32, "image/jpeg"), ("ab" * 32, "image/gif")],
)
def test_path_for_refuses_what_is_not_a_hash_or_a_photo_type(
    tmp_path: Path, sha: str, media_type: str
) -> None:
    with pytest.raises(ValueError, match="not a"):
        PhotoStore(tmp_path).path_for(sha, media_type)


def test_a_prepared_photo_goes_into_the_store(tmp_path: Path) -> None:
    out = io.BytesIO()
    _noise((500, 400)).save(out, "JPEG")
    photo = prepare_photo(_write(tmp_path / "p.jpg", out.getvalue()))
    store = PhotoStore(tmp_path / "photos")

    sha, path = store.put(photo.data, photo.media_type)

    assert sha == photo.sha256
    assert path.suffix == ".jpg"
    assert file_sha256(path) == photo.sha256


# --- demo photos ----------------------------------------------------------------------------


def test_demo_photo_round_trip(tmp_path: Path) -> None:
    data = draw_site_photo(
        3,
        taken_at=datetime(2026, 10, 2, 16, 45, 0, tzinfo=INDIA),
        latitude=Decimal("20.658400"),
        longitude=Decimal("85.596300"),
        size=(1200, 900),
    )
    assert Image.open(io.BytesIO(data)).getexif()[ExifTags.Base.Make] == "MUKTA demo"

    photo = prepare_photo(_write(tmp_path / "demo-3.jpg", data))

    assert photo.taken_at == datetime(2026, 10, 2, 16, 45, 0, tzinfo=INDIA)
    assert photo.latitude == Decimal("20.658400")
    assert photo.longitude == Decimal("85.596300")
    assert (photo.width, photo.height) == (1200, 900)


def test_demo_photos_are_deterministic_and_differ_by_number() -> None:
    def draw(index: int) -> bytes:
        return draw_site_photo(
            index,
            taken_at=TAKEN,
            latitude=Decimal("20.5"),
            longitude=Decimal("85.8"),
            size=(400, 300),
        )

    assert draw(1) == draw(1)
    assert draw(1) != draw(2)
    assert draw(2) != draw(4)  # two roads, but not the same picture
