"""The SOR type, sub type and variant filters shared by Search SOR and the estimate's picker."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from mukta_desktop.domain.sor import SorType
from mukta_desktop.services.masters import Masters


def fill_sub_types(sub_type_combo: QComboBox, masters: Masters, type_code: str | None) -> None:
    """The sub types of the chosen type (none to choose from while all types are shown)."""
    sub_type_combo.blockSignals(True)
    sub_type_combo.clear()
    sub_type_combo.addItem("All sub types", None)
    if type_code is not None:
        for s in masters.sub_types_of(type_code):
            sub_type_combo.addItem(s.label, s.code)
    sub_type_combo.setEnabled(type_code is not None)
    sub_type_combo.blockSignals(False)


def type_chosen(type_combo: QComboBox, sub_type_combo: QComboBox, variant_combo: QComboBox,
                masters: Masters) -> None:
    """After a type is chosen: its sub types; variants only for works items (or all types)."""
    type_code = type_combo.currentData()
    fill_sub_types(sub_type_combo, masters, type_code)
    works_or_all = type_code in (None, SorType.WORKS.value)
    if not works_or_all:
        variant_combo.setCurrentIndex(0)
    variant_combo.setEnabled(works_or_all)


def filter_combos(masters: Masters) -> tuple[QComboBox, QComboBox, QComboBox]:
    """The type, sub type and variant filters, each with 'All …' first (sub types are filled
    by `fill_sub_types`)."""
    type_combo = QComboBox()
    type_combo.setToolTip("Type")
    type_combo.addItem("All types", None)
    for t in masters.sor_types:
        type_combo.addItem(t.label, t.code)
    sub_type_combo = QComboBox()
    sub_type_combo.setToolTip("Sub type (choose a type first)")
    variant_combo = QComboBox()
    variant_combo.setToolTip("Variant (works items)")
    variant_combo.addItem("All variants", None)
    for v in masters.variants:
        variant_combo.addItem(v.label, v.code)
    return type_combo, sub_type_combo, variant_combo
