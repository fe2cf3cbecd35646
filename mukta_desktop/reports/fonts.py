"""System fonts for the PDF documents, found at run time (the repository ships none).

A PDF needs a Unicode text font that has the rupee sign (Noto Sans, DejaVu Sans; on Windows
Segoe UI, Arial or Nirmala UI) and, for Odia descriptions, an Odia font (Noto Sans Oriya,
Nirmala UI, Kalinga, Lohit Odia). Fonts are looked up with fontconfig's `fc-list` when it is
there, then in the usual folders of Linux, Windows and macOS. Every candidate is checked for
the characters it must carry, because a family name alone says nothing about coverage. When
no Odia font exists the documents are still written (Odia letters then go missing); when not
even a Unicode font exists the writers fall back to the PDF core font and spell ₹ as "Rs.".
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

RUPEE = "\u20b9"
_ODIA_PROBE = (0x0B15, 0x0B2E, 0x0B3F)  # ka, ma, vowel sign i
_TEXT_PROBE = (ord("A"), ord("0"), 0x20B9)

TEXT_FAMILIES = ("Noto Sans", "DejaVu Sans", "Segoe UI", "Arial", "Nirmala UI")
ODIA_FAMILIES = ("Noto Sans Oriya", "Noto Sans Odia", "Nirmala UI", "Kalinga", "Lohit Odia")
REGULAR_STYLES = ("regular", "book", "normal", "roman")
BOLD_STYLES = ("bold",)


@dataclass(frozen=True, slots=True)
class FontFiles:
    """The font files the PDF writers embed; None where nothing suitable was found."""

    text: Path | None = None
    text_bold: Path | None = None
    odia: Path | None = None
    odia_bold: Path | None = None


@dataclass(frozen=True, slots=True)
class _Candidate:
    path: Path
    families: tuple[str, ...]
    style: str


def _windows_dirs() -> list[Path]:
    dirs = [Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"]
    local = os.environ.get("LOCALAPPDATA")
    if local:
        dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    return dirs


# Known files, for systems without fontconfig (Windows, a bare container): family, style, path.
def _known_files() -> list[_Candidate]:
    linux = [
        ("Noto Sans", "regular", "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"),
        ("Noto Sans", "bold", "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"),
        ("Noto Sans", "regular", "/usr/share/fonts/noto/NotoSans-Regular.ttf"),
        ("Noto Sans", "bold", "/usr/share/fonts/noto/NotoSans-Bold.ttf"),
        ("DejaVu Sans", "regular", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        ("DejaVu Sans", "bold", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
        ("DejaVu Sans", "regular", "/usr/share/fonts/TTF/DejaVuSans.ttf"),
        ("DejaVu Sans", "bold", "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"),
        ("DejaVu Sans", "regular", "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf"),
        ("DejaVu Sans", "bold", "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf"),
        ("Noto Sans Oriya", "regular", "/usr/share/fonts/truetype/noto/NotoSansOriya-Regular.ttf"),
        ("Noto Sans Oriya", "bold", "/usr/share/fonts/truetype/noto/NotoSansOriya-Bold.ttf"),
        ("Noto Sans Oriya", "regular", "/usr/share/fonts/noto/NotoSansOriya-Regular.ttf"),
        ("Noto Sans Oriya", "bold", "/usr/share/fonts/noto/NotoSansOriya-Bold.ttf"),
    ]
    found = [_Candidate(Path(p), (family,), style) for family, style, p in linux]
    for folder in _windows_dirs():
        for family, style, name in (
            ("Nirmala UI", "regular", "Nirmala.ttf"),
            ("Nirmala UI", "bold", "NirmalaB.ttf"),
            ("Segoe UI", "regular", "segoeui.ttf"),
            ("Segoe UI", "bold", "segoeuib.ttf"),
            ("Arial", "regular", "arial.ttf"),
            ("Arial", "bold", "arialbd.ttf"),
            ("Kalinga", "regular", "kalinga.ttf"),
            ("Kalinga", "bold", "kalingab.ttf"),
            ("Noto Sans", "regular", "NotoSans-Regular.ttf"),
            ("Noto Sans", "bold", "NotoSans-Bold.ttf"),
            ("Noto Sans Oriya", "regular", "NotoSansOriya-Regular.ttf"),
            ("Noto Sans Oriya", "bold", "NotoSansOriya-Bold.ttf"),
        ):
            found.append(_Candidate(folder / name, (family,), style))
    for folder in (Path("/Library/Fonts"), Path.home() / "Library" / "Fonts"):
        for family, style, name in (
            ("Noto Sans", "regular", "NotoSans-Regular.ttf"),
            ("Noto Sans", "bold", "NotoSans-Bold.ttf"),
            ("Noto Sans Oriya", "regular", "NotoSansOriya-Regular.ttf"),
            ("Noto Sans Oriya", "bold", "NotoSansOriya-Bold.ttf"),
        ):
            found.append(_Candidate(folder / name, (family,), style))
    return found


def _fontconfig_files() -> list[_Candidate]:
    """Every TrueType/OpenType file fontconfig knows, with its family names and style."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        result = subprocess.run(
            [fc_list, "--format", "%{file}\t%{family}\t%{style}\n"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    found: list[_Candidate] = []
    for line in result.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) != 3 or not parts[0].lower().endswith((".ttf", ".otf")):
            continue  # collections (.ttc) need an index fpdf2 cannot guess
        families = tuple(f.strip() for f in parts[1].split(","))
        style = parts[2].split(",")[0].strip().lower()
        found.append(_Candidate(Path(parts[0]), families, style))
    return found


@functools.lru_cache(maxsize=64)
def _covers(path: Path, codepoints: tuple[int, ...]) -> bool:
    """Whether the font file exists, can be read, and has a glyph for every code point."""
    try:
        from fontTools.ttLib import TTFont

        with TTFont(path, lazy=True, fontNumber=0) as font:
            cmap = font.getBestCmap() or {}
    except Exception:  # an unreadable or odd font file is simply not a candidate
        return False
    return all(cp in cmap for cp in codepoints)


def _pick(
    candidates: Sequence[_Candidate],
    families: Iterable[str],
    probe: tuple[int, ...],
) -> tuple[Path | None, Path | None]:
    """The regular and bold files of the first preferred family that carries `probe`."""
    for family in families:
        of_family = [c for c in candidates if family.lower() in (f.lower() for f in c.families)]
        regular = next(
            (
                c.path
                for c in of_family
                if c.style in REGULAR_STYLES and c.path.is_file() and _covers(c.path, probe)
            ),
            None,
        )
        if regular is None:
            continue
        bold = next(
            (
                c.path
                for c in of_family
                if c.style in BOLD_STYLES and c.path.is_file() and _covers(c.path, probe)
            ),
            None,
        )
        return regular, bold or regular
    return None, None


@functools.lru_cache(maxsize=1)
def find_fonts() -> FontFiles:
    """The fonts of this machine, looked up once per process."""
    candidates = [*_fontconfig_files(), *_known_files()]
    text, text_bold = _pick(candidates, TEXT_FAMILIES, _TEXT_PROBE)
    odia, odia_bold = _pick(candidates, ODIA_FAMILIES, _ODIA_PROBE)
    return FontFiles(text, text_bold, odia, odia_bold)
