"""Small reusable widgets: decimal text fields, India dates, inline messages, table helpers,
debounce timers."""

from .dates import date_edit, from_qdate, to_qdate
from .debounce import debounce_timer
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
    "debounce_timer",
    "from_qdate",
    "muted",
    "to_qdate",
]
