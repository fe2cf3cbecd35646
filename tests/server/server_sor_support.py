"""Helpers of the SOR publication tests: the reference workbooks (read where they are, never
copied) and FL00001 of sor-mdt.xlsx with other amounts, as a mukta-sor/1 JSON file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REFERENCE = Path("/work/shared/reference")
SOR_MDT = REFERENCE / "sor-mdt.xlsx"
ANALYSIS_TEMPLATE = REFERENCE / "rate-analysis-template.xlsx"
FL_DESCRIPTION = (
    "Fixing tiles in floors, treads or steps and landing over 25mm bed of C:M (1:1) jointed "
    "with neat cement slurry mixed with pigment to match the shade of the tiles including "
    "rubbing and polishing complete excluding the cost of pre-cast tiles"
)


def fl_item(material: str, labour: str, **more: Any) -> dict[str, Any]:
    """FL00001 as sor-mdt.xlsx defines it, with another rate (a JSON file item)."""
    return {
        "code": "FL00001",
        "type": "W",
        "sub_type": "FL",
        "variant": "GF",
        "uom": "SQM",
        "rate_quantity": "1",
        "description": more.pop("description", FL_DESCRIPTION),
        "rate": {"material": material, "labour": labour, **more},
    }


def sor_file(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"format": "mukta-sor/1", "sors": items}), "utf-8")
    return path


def fl_file(path: Path, material: str, labour: str) -> Path:
    return sor_file(path, [fl_item(material, labour)])
