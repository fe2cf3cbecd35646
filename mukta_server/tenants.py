"""Tenant codes: the state (`od`) and its ULBs (`od.dhenkanal`)."""

from __future__ import annotations

import re

# Lower-case letters only before the dot and a letter first after it: a code is also a
# directory name in photo storage, so it can never be "..", hold a slash, or start with a dot.
_TENANT_RE = re.compile(r"^[a-z]{2}(?:\.[a-z][a-z0-9_]{0,39})?$")


def is_tenant_code(code: str) -> bool:
    return bool(_TENANT_RE.match(code))


def require_tenant_code(code: str) -> str:
    if not is_tenant_code(code):
        raise ValueError(
            f"'{code}' is not a tenant code: use the state code (od) or od.<ulb> in lower case, "
            "like od.dhenkanal."
        )
    return code
