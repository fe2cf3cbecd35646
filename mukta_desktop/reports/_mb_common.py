"""What the PDF and the Excel version of a Measurement Book share: the wording of the paper
MB (CPWA / OPWD Form 23), the status stamp of an MB nobody may pay from yet, the entries at
commencement, photo captions, the workflow timeline and the signature blocks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from mukta_desktop.domain.dates import INDIA, format_date
from mukta_desktop.domain.numbers import ZERO, format_indian
from mukta_desktop.domain.workflow import Action, Status
from mukta_desktop.services.estimate_views import HistoryEvent
from mukta_desktop.services.mb_views import MbLineView, MbView, PhotoView
from mukta_desktop.services.words import rupees_in_words

from ._common import NON_SOR, Signatory, SignatureStep, money, rupees, signatories_of
from .fonts import RUPEE

TITLE = "MEASUREMENT BOOK"
UP_TO_DATE = "Quantity and value up to date"
DEDUCT_PREVIOUS = "Deduct previous measurement"
SINCE_LAST = "Since last measurement (this MB)"
NOT_MEASURED = "(not measured in this MB)"
DEDUCT = "Deduct"

# The MB workflow's signatures (roles.py: MB creator is the JE, verifier the AE/ME, approver
# the EE). The organisation's representative signs on paper only: no workflow step records it.
_MB_STEPS: tuple[SignatureStep, ...] = (
    ("Measured by", "Junior Engineer", frozenset({"save-draft", "submit", "resubmit"})),
    ("Verified by", "Assistant Engineer", frozenset({"verify"})),
    ("Approved by", "Executive Engineer", frozenset({"approve"})),
)
_MB_STEPS_STANDING = {
    Status.DRAFTED: 1,
    Status.PENDING_VERIFICATION: 1,
    Status.PENDING_CORRECTION: 1,
    Status.PENDING_APPROVAL: 2,
    Status.APPROVED: 3,
}
ORGANISATION_SIGNATORY = Signatory("Measurements accepted by", "Organisation representative")


# ---------------------------------------------------------------- status


def is_approved(view: MbView) -> bool:
    return view.status is Status.APPROVED


def stamp(view: MbView) -> tuple[str, str]:
    """The two lines every page of an MB that is not approved carries, so that nobody pays
    from it; ("", "") for an approved MB."""
    if is_approved(view):
        return "", ""
    if view.status is Status.REJECTED:
        return "REJECTED — not approved", "Not to be paid from this MB"
    name = "DRAFT" if view.status is Status.DRAFTED else view.status.label.upper()
    return f"{name} — not approved", "Not to be paid from: the figures may still change"


def status_text(view: MbView) -> str:
    if view.approved_at is not None and is_approved(view):
        return f"{view.status.label} on {india_time(view.approved_at)}"
    first, _ = stamp(view)
    return f"{view.status.label} ({first})" if first else view.status.label


# ---------------------------------------------------------------- heading lines


def mb_line(view: MbView) -> str:
    """Number, period and status, as the header of every page shows them."""
    return "   |   ".join(
        (
            f"MB No. {view.number}",
            f"Period {period_text(view)}",
            f"Measured on {format_date(view.measurement_date)}",
            f"Status: {view.status.label}",
        )
    )


def work_line(view: MbView) -> str:
    return (
        f"Project {view.project.number}: {view.project.name}   |   Work order "
        f"{view.work_order.number}   |   {view.work_order.organisation}"
    )


def footer(view: MbView) -> str:
    text = f"{view.number}  ·  {view.work_order.number}  ·  MUKTA Desktop"
    if view.content_hash:
        text += f"  ·  SHA-256 {view.content_hash[:16]}…"
    return text


def period_text(view: MbView) -> str:
    return f"{format_date(view.period.start)} to {format_date(view.period.end)}"


# ---------------------------------------------------------------- entries at commencement


def previous_mb_text(view: MbView) -> str:
    if view.previous_mb is None:
        return "None: this is the first MB of the work order"
    for mb in view.mb_history:
        if mb.number == view.previous_mb:
            return (
                f"{mb.number}, period {format_date(mb.period.start)} to "
                f"{format_date(mb.period.end)}, {mb.status.label}, up to date "
                f"{RUPEE} {money(mb.cumulative_total)}"
            )
    return view.previous_mb


def amount_text(amount: Decimal, words: str) -> str:
    """'₹ 1,23,456.78 (₹ 1,23,457 in whole rupees): Rupees … Only'."""
    return f"{RUPEE} {money(amount)} ({RUPEE} {rupees(amount)} in whole rupees): {words}"


def this_mb_words(view: MbView) -> str:
    return view.total_in_words


def up_to_date_words(view: MbView) -> str:
    return rupees_in_words(view.totals.cumulative_total)


def commencement(view: MbView) -> list[tuple[str, str]]:
    """The entries at commencement of the paper MB, then this MB's particulars."""
    wo = view.work_order
    entries = [
        ("Name of work", view.project.name),
        ("Project No.", view.project.number),
        ("Location", view.location),
        ("Urban local body", view.tenant_name),
        ("Organisation (agency)", wo.organisation),
        ("Work order No. and date", f"{wo.number} dated {format_date(wo.work_order_date)}"),
        ("Date of commencement", format_date(wo.start_date)),
        ("Stipulated completion", format_date(wo.end_date)),
        ("Estimate in force", view.estimate_number),
        ("MB No.", view.number),
        ("Period of this MB", period_text(view)),
        ("Date of measurement", format_date(view.measurement_date)),
        ("Reference to the previous MB", previous_mb_text(view)),
        ("Measured by", view.created_by_name or view.created_by),
        ("Status", status_text(view)),
        ("Value of this MB", amount_text(view.totals.total, this_mb_words(view))),
        ("Value up to date", amount_text(view.totals.cumulative_total, up_to_date_words(view))),
    ]
    if view.remarks:
        entries.append(("Remarks", view.remarks))
    entries.extend(("Note", warning) for warning in view.warnings)
    return entries


# ---------------------------------------------------------------- items


def code_of(line: MbLineView) -> str:
    return line.item.sor_code or NON_SOR


def item_label(line: MbLineView) -> str:
    return f"{code_of(line)} — {line.item.description}"


def has_utilization(line: MbLineView) -> bool:
    """Only SOR items have rate heads; a non-SOR item consumes nothing the statement counts."""
    return line.item.heads is not None and line.item.sor_code is not None


# ---------------------------------------------------------------- photos


def india_time(at: datetime) -> str:
    """An instant as India reads it: dd/mm/yyyy HH:MM (a naive instant is UTC, as stored)."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return aware.astimezone(INDIA).strftime("%d/%m/%Y %H:%M")


_GPS_PLACES = Decimal("0.000001")


def _degrees(value: Decimal, positive: str, negative: str) -> str:
    rounded = abs(value).quantize(_GPS_PLACES, rounding=ROUND_HALF_UP)
    return f"{rounded}° {positive if value >= ZERO else negative}"


def gps_text(photo: PhotoView) -> str:
    """'20.296059° N, 85.824539° E', or that the picture carries no position."""
    if photo.latitude is None or photo.longitude is None:
        return "no GPS in the picture"
    return f"{_degrees(photo.latitude, 'N', 'S')}, {_degrees(photo.longitude, 'E', 'W')}"


def taken_text(photo: PhotoView) -> str:
    if photo.taken_at is None:
        return f"Capture time not in the picture (added {india_time(photo.added_at)})"
    return f"Taken {india_time(photo.taken_at)} (India time)"


def sentence(text: str) -> str:
    """The text with its first letter upper case (str.capitalize lowers all the others)."""
    return text[:1].upper() + text[1:]


def photo_title(number: int, photo: PhotoView) -> str:
    """'Photo 1: IMG_0042.jpg'. Photos are numbered in their order from 1: the stored
    position counts from 0 and keeps a gap where a photo was removed."""
    return f"Photo {number}: {photo.original_name}"


def picture_text(photo: PhotoView) -> str:
    kilobytes = format_indian(Decimal(photo.stored_bytes) / 1024, 0)
    return f"{photo.width} × {photo.height} px, {kilobytes} KB as stored"


# ---------------------------------------------------------------- workflow


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: str  # dd/mm/yyyy HH:MM, India time
    action: str
    by: str
    status: str
    comment: str


def action_label(action: str) -> str:
    try:
        return Action(action).label
    except ValueError:  # "save-draft" and other steps outside the transitions
        return action.replace("-", " ").capitalize()


def status_label(value: str | None) -> str:
    if value is None:
        return ""
    try:
        return Status(value).label
    except ValueError:
        return value


def timeline(history: tuple[HistoryEvent, ...]) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            india_time(event.at),
            action_label(event.action),
            event.by_name or event.by_login,
            status_label(event.to_status),
            event.comment,
        )
        for event in sorted(history, key=lambda e: e.at)
    ]


def mb_signatories(view: MbView) -> tuple[Signatory, ...]:
    """JE who measured, organisation representative, verifier, approver. The JE is named
    even before submitting: the creator of an MB is the one who measured."""
    measured, verified, approved = signatories_of(view.history, _MB_STEPS, _MB_STEPS_STANDING)
    if not measured.name:
        measured = Signatory(measured.act, measured.officer, view.created_by_name or "")
    return measured, ORGANISATION_SIGNATORY, verified, approved


def qr_payload(view: MbView) -> str:
    """What the QR code of an approved MB holds: its number and content hash."""
    return f"{view.number} SHA-256 {view.content_hash}"
