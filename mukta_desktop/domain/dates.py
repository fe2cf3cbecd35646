"""Calendar dates in India. India keeps one offset all year (+05:30), so no tz database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

INDIA = timezone(timedelta(hours=5, minutes=30), "IST")


def india_today(now: datetime | None = None) -> date:
    """Today's date in India (a date typed by a user is an Indian calendar date)."""
    return (now or datetime.now(UTC)).astimezone(INDIA).date()


def format_date(value: date | None) -> str:
    """dd/mm/yyyy, as on Indian paper; empty for no date."""
    return "" if value is None else value.strftime("%d/%m/%Y")


def parse_date(text: str, *, field: str) -> date:
    """A date typed as dd/mm/yyyy or yyyy-mm-dd."""
    from .errors import ValidationError

    cleaned = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    raise ValidationError(f"{field}: '{cleaned}' is not a date; use dd/mm/yyyy.", field=field)


def financial_year_start(value: date) -> date:
    """The first day (1 April) of the Indian financial year of a date."""
    return date(value.year if value.month >= 4 else value.year - 1, 4, 1)


def financial_year(value: date) -> str:
    """The Indian financial year (April to March) of a date: 2024-25."""
    start = financial_year_start(value).year
    return f"{start}-{(start + 1) % 100:02d}"
