"""Turning a saved rate analysis back into plain data (recomputed from its stored inputs)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mukta_desktop.domain.rate_analysis import AnalysisLine, ChargeKind, ExtraCharge, analyse
from mukta_desktop.models import RateAnalysis, Sor, SorRate

from .sor_store import heads_of
from .sor_views import AnalysisInfo, AnalysisLineInfo, ChargeInfo


def analysis_info(session: Session, saved: RateAnalysis) -> AnalysisInfo:
    lines: list[AnalysisLine] = []
    described: list[tuple[Sor, SorRate]] = []
    for line in saved.lines:
        basic = session.get_one(Sor, line.basic_sor_id)
        rate = session.get_one(SorRate, line.basic_rate_id)
        described.append((basic, rate))
        lines.append(AnalysisLine(basic.code, line.quantity, heads_of(rate), basic.rate_quantity))
    charges = [
        ExtraCharge(c.description, ChargeKind(c.kind), c.value, c.head) for c in saved.charges
    ]
    result = analyse(saved.analysis_quantity, lines, charges)
    return AnalysisInfo(
        analysis_quantity=saved.analysis_quantity,
        effective_from=saved.effective_from,
        tenant=saved.tenant_code,
        lines=tuple(
            AnalysisLineInfo(
                basic.code,
                basic.description,
                basic.uom_code,
                line.quantity,
                rate.total,
                basic.rate_quantity,
                contribution,
            )
            for (basic, rate), line, contribution in zip(
                described, lines, result.line_heads, strict=True
            )
        ),
        charges=tuple(
            ChargeInfo(c.description, c.kind.value, c.value, c.head, amount)
            for c, amount in zip(charges, result.charges, strict=True)
        ),
        heads=result.heads,
        total=result.total,
    )
