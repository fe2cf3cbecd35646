"""View SOR: details, the rate in force with its heads, rate history, and the rate analysis."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.domain.dates import format_date
from mukta_desktop.domain.numbers import format_money
from mukta_desktop.domain.sor import SorType
from mukta_desktop.services.sor_catalog import get_sor
from mukta_desktop.services.sor_store import quantity_text
from mukta_desktop.services.sor_views import AnalysisInfo, RateInfo, SorDetail

from ..context import UiContext
from ..widgets import configure_table, muted
from . import permissions
from .base import SorDialog
from .models import (
    AnalysisChargesTableModel,
    AnalysisLinesTableModel,
    RateHeadsTableModel,
    RateHistoryTableModel,
    per_text,
)

_BADGE = ("QLabel {{ background: {bg}; color: {fg}; border-radius: 3px; padding: 1px 6px;"
          " font-weight: bold; }}")


def badge(text: str, bg: str, fg: str = "white") -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(_BADGE.format(bg=bg, fg=fg))
    return label


def _heads_view(model: RateHeadsTableModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    configure_table(view, stretch_column=0)
    view.setColumnWidth(1, view.fontMetrics().horizontalAdvance("99,99,99,999.99") + 40)
    view.setMinimumHeight(view.verticalHeader().defaultSectionSize() * 11 + 4)
    return view


def _rate_text(rate: RateInfo, rate_quantity_text: str) -> str:
    until = ("until further revision" if rate.effective_to is None
             else f"to {format_date(rate.effective_to)}")
    return (f"₹ {format_money(rate.total)} per {rate_quantity_text} — {rate.tenant_name} rate, "
            f"from {format_date(rate.effective_from)} {until} ({rate.source.lower()})")


class SorViewDialog(SorDialog):
    """Everything about one SOR, as of today, for the signed-in user's ULB."""

    loaded = Signal(object)  # SorDetail
    changed = Signal()  # a rate, the definition or the analysis was saved from here

    def __init__(self, ctx: UiContext, code: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, f"SOR {code}", parent)
        self.setObjectName("sorViewDialog")
        self.setModal(False)
        self.code = code
        self.detail: SorDetail | None = None

        # Heading: code, badges, description
        self.code_label = QLabel(code)
        self.code_label.setObjectName("code")
        font = QFont(self.code_label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.code_label.setFont(font)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.demo_badge = badge("DEMO", "#e65100")
        self.demo_badge.setObjectName("demoBadge")
        self.demo_badge.setToolTip("Demo data written by the MUKTA Desktop team: not an official "
                                   "Odisha SOR or rate.")
        self.demo_badge.hide()
        self.status_badge = badge("Active", "#2e7d32")
        self.status_badge.setObjectName("statusBadge")
        heading = QHBoxLayout()
        heading.addWidget(self.code_label)
        heading.addWidget(self.demo_badge)
        heading.addWidget(self.status_badge)
        heading.addStretch(1)
        self.description = QLabel("Loading…")
        self.description.setObjectName("description")
        self.description.setWordWrap(True)
        self.description.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.fields: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        for position, (key, caption) in enumerate((
                ("type", "Type"), ("sub_type", "Sub type"), ("variant", "Variant"),
                ("uom", "Unit"), ("rate_quantity", "Rate defined for"), ("tenant", "Rates for"))):
            value = QLabel()
            value.setObjectName(f"field_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            caption_label = QLabel(f"{caption}:")
            muted(caption_label)
            row, pair = position % 3, position // 3
            grid.addWidget(caption_label, row, pair * 2)
            grid.addWidget(value, row, pair * 2 + 1)
            self.fields[key] = value
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._current_tab(), "Current rate")
        self.tabs.addTab(self._history_tab(), "Rate history")
        self.analysis_tab = self._analysis_tab()
        self.tabs.addTab(self.analysis_tab, "Rate analysis")

        # Actions this user may take from here
        self.add_rate_button = QPushButton("Add / revise rate…")
        self.add_rate_button.setObjectName("addRateButton")
        self.modify_button = QPushButton("Modify…")
        self.modify_button.setObjectName("modifyButton")
        self.analysis_button = QPushButton("Rate analysis…")
        self.analysis_button.setObjectName("analysisButton")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        for button, allowed in ((self.add_rate_button, permissions.can_add_rate(ctx)),
                                (self.analysis_button, permissions.can_analyse(ctx)),
                                (self.modify_button, permissions.can_modify_sor(ctx))):
            button.setAutoDefault(False)
            button.setEnabled(False)
            if allowed:
                self.buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
            else:
                button.setParent(self)
                button.hide()
        self.add_rate_button.clicked.connect(self._add_rate)
        self.modify_button.clicked.connect(self._modify)
        self.analysis_button.clicked.connect(self._analyse)

        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addWidget(self.description)
        layout.addLayout(grid)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(1060, 700)
        self.reload()

    # -- tabs ---------------------------------------------------------------------------------
    def _current_tab(self) -> QWidget:
        page = QWidget()
        self.current_label = QLabel()
        self.current_label.setObjectName("currentRate")
        self.current_label.setWordWrap(True)
        bold = QFont(self.current_label.font())
        bold.setBold(True)
        self.current_label.setFont(bold)
        self.current_model = RateHeadsTableModel(parent=self)
        self.current_view = _heads_view(self.current_model)
        self.current_view.setObjectName("currentHeads")
        layout = QVBoxLayout(page)
        layout.addWidget(self.current_label)
        layout.addWidget(self.current_view, 1)
        return page

    def _history_tab(self) -> QWidget:
        page = QWidget()
        self.history_model = RateHistoryTableModel(parent=self)
        self.history_view = QTableView()
        self.history_view.setObjectName("history")
        self.history_view.setModel(self.history_model)
        configure_table(self.history_view, stretch_column=0,
                        widths={1: 14, 2: 14, 3: 16, 4: 12})
        self.history_view.selectionModel().currentRowChanged.connect(self._history_row)
        self.history_view.doubleClicked.connect(self._history_row)
        self.breakup_label = QLabel("Select a rate to see its head-wise breakup.")
        self.breakup_label.setObjectName("breakupLabel")
        self.breakup_model = RateHeadsTableModel(parent=self)
        self.breakup_view = _heads_view(self.breakup_model)
        self.breakup_view.setObjectName("historyHeads")
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.breakup_label)
        lower_layout.addWidget(self.breakup_view)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.history_view)
        splitter.addWidget(lower)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(page)
        layout.addWidget(splitter)
        return page

    def _analysis_tab(self) -> QWidget:
        page = QWidget()
        self.analysis_label = QLabel()
        self.analysis_label.setObjectName("analysisLabel")
        self.analysis_label.setWordWrap(True)
        self.lines_model = AnalysisLinesTableModel(parent=self)
        self.lines_view = QTableView()
        self.lines_view.setObjectName("analysisLines")
        self.lines_view.setModel(self.lines_model)
        configure_table(self.lines_view, stretch_column=1, widths={0: 12, 2: 6, 3: 8, 4: 14, 5: 14})
        self.charges_model = AnalysisChargesTableModel(parent=self)
        self.charges_view = QTableView()
        self.charges_view.setObjectName("analysisCharges")
        self.charges_view.setModel(self.charges_model)
        configure_table(self.charges_view, stretch_column=0, widths={1: 9, 2: 9, 3: 18, 4: 14})
        self.charges_view.setMaximumHeight(self.charges_view.verticalHeader().defaultSectionSize()
                                           * 4)
        self.result_model = RateHeadsTableModel(parent=self)
        self.result_view = _heads_view(self.result_model)
        self.result_view.setObjectName("analysisHeads")
        self.analysis_total = QLabel()
        self.analysis_total.setObjectName("analysisTotal")
        bold = QFont(self.analysis_total.font())
        bold.setBold(True)
        self.analysis_total.setFont(bold)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("Basic SORs used"))
        left_layout.addWidget(self.lines_view, 3)
        left_layout.addWidget(QLabel("Extra charges"))
        left_layout.addWidget(self.charges_view, 1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(QLabel("Resulting rate per unit"))
        right_layout.addWidget(self.result_view, 1)
        right_layout.addWidget(self.analysis_total)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(page)
        layout.addWidget(self.analysis_label)
        layout.addWidget(splitter, 1)
        return page

    # -- data ---------------------------------------------------------------------------------
    def reload(self) -> None:
        ctx, code, today = self.ctx, self.code, self.ctx.today()
        self.run(lambda: get_sor(ctx.db, code, at=today, tenant=ctx.actor.tenant), self._loaded)

    def _loaded(self, detail: SorDetail) -> None:
        self.detail = detail
        self.code = detail.code
        self.setWindowTitle(f"SOR {detail.code}")
        self.code_label.setText(detail.code)
        self.demo_badge.setVisible(detail.is_demo)
        active = detail.status == "ACTIVE"
        self.status_badge.setStyleSheet(_BADGE.format(bg="#2e7d32" if active else "#757575",
                                                      fg="white"))
        self.status_badge.setText("Active" if active else "Inactive")
        self.status_badge.setMinimumWidth(self.status_badge.sizeHint().width())
        self.status_badge.updateGeometry()
        self.description.setText(detail.description)
        per = per_text(detail.rate_quantity, detail.uom)
        self.fields["type"].setText(f"{detail.type_name} ({detail.type_code})")
        self.fields["sub_type"].setText(f"{detail.sub_type_name} ({detail.sub_type_code})")
        self.fields["variant"].setText(f"{detail.variant_name} ({detail.variant_code})")
        self.fields["uom"].setText(detail.uom)
        self.fields["rate_quantity"].setText(f"{quantity_text(detail.rate_quantity)} {detail.uom}")
        self.fields["tenant"].setText(self.ctx.masters.tenant_name(detail.tenant)
                                      + ("" if detail.tenant == "od" else " (and state rates)"))

        if detail.current is None:
            self.current_label.setText(f"No rate is in force on {format_date(detail.at)}.")
            self.current_model.set_heads(None)
        else:
            self.current_label.setText(_rate_text(detail.current, per))
            self.current_model.set_heads(detail.current.heads)

        self.history_model.set_rows(detail.history)
        if detail.history:
            self.history_view.selectRow(0)
            self._history_row(self.history_model.index(0, 0))
        else:
            self.breakup_label.setText("This SOR has no rates yet.")
            self.breakup_model.set_heads(None)

        works = detail.type_code == SorType.WORKS.value
        self.tabs.setTabVisible(self.tabs.indexOf(self.analysis_tab), works)
        self._show_analysis(detail.analysis)
        self.add_rate_button.setEnabled(True)
        self.modify_button.setEnabled(True)
        self.analysis_button.setEnabled(works)
        self.analysis_button.setVisible(works and permissions.can_analyse(self.ctx))
        self.loaded.emit(detail)

    def _show_analysis(self, analysis: AnalysisInfo | None) -> None:
        """The analysis of the rate in force, or else of the newest rate still to come."""
        detail = self.detail
        assert detail is not None
        if analysis is None:
            self.analysis_label.setText(
                "No rate is in force and no rate analysis has been made." if detail.current is None
                else "The rate in force was typed or imported; no rate analysis made it.")
            self.lines_model.set_rows(())
            self.charges_model.set_rows(())
            self.result_model.set_heads(None)
            self.analysis_total.setText("")
            return
        upcoming = analysis.effective_from > detail.at
        heading = (f"Rate analysis for the rate from {format_date(analysis.effective_from)} "
                   "(not yet in force). " if upcoming else "")
        self.analysis_label.setText(
            f"{heading}Analysis for {quantity_text(analysis.analysis_quantity)} {detail.uom}, "
            f"with the basic rates in force on {format_date(analysis.effective_from)} "
            f"({self.ctx.masters.tenant_name(analysis.tenant)}). Each line contributes "
            "round(round(head × qty ÷ analysis qty) ÷ rate qty) per head.")
        self.lines_model.set_rows(analysis.lines)
        self.charges_model.set_rows(analysis.charges)
        self.result_model.set_heads(analysis.heads)
        self.analysis_total.setText(
            f"Rate: ₹ {format_money(analysis.total)} per {detail.uom}"
            + (f", from {format_date(analysis.effective_from)}" if upcoming else ""))

    def _history_row(self, index: QModelIndex) -> None:
        rate = self.history_model.row_at(index.row()) if index.isValid() else None
        if rate is None:
            return
        self.breakup_label.setText(
            f"Breakup of the {rate.tenant_name} rate from {format_date(rate.effective_from)}: "
            f"₹ {format_money(rate.total)}")
        self.breakup_model.set_heads(rate.heads)

    # -- actions ------------------------------------------------------------------------------
    def _child_saved(self, *_: object) -> None:
        self.reload()
        self.changed.emit()

    def _add_rate(self) -> None:
        from .rate_dialog import AddRateDialog

        dialog = AddRateDialog(self.ctx, self.code, self)
        dialog.saved.connect(self._child_saved)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _modify(self) -> None:
        from .definition_dialogs import ModifySorDialog

        dialog = ModifySorDialog(self.ctx, self.code, self)
        dialog.saved.connect(self._child_saved)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _analyse(self) -> None:
        from .analysis_dialog import RateAnalysisDialog

        dialog = RateAnalysisDialog(self.ctx, self.code, self)
        dialog.saved.connect(self._child_saved)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

