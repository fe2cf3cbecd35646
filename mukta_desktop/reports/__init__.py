"""Excel and PDF documents built from service results (estimates, deviation statements).

Reports receive the plain dataclasses the services return and never open a database session
or import Qt. Every writer takes `progress(done, total)` and `cancelled()` hooks so the UI can
run it on a worker with a progress bar and a Cancel button.
"""

from __future__ import annotations


class ExportCancelled(Exception):
    """The user cancelled an export; nothing was left at the target path."""
