"""Small reusable widgets: decimal text fields, India dates, inline messages, table helpers."""

from .dates import date_edit, from_qdate, to_qdate
from .decimal_edit import DecimalLineEdit
from .messages import InlineMessage, muted
from .tables import ALIGN_LEFT, ALIGN_RIGHT, alive, configure_table

__all__ = [
    "ALIGN_LEFT",
    "ALIGN_RIGHT",
    "DecimalLineEdit",
    "InlineMessage",
    "alive",
    "configure_table",
    "date_edit",
    "from_qdate",
    "muted",
    "to_qdate",
]
