"""What every screen is given: the database, the signed-in actor, masters and the runner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from mukta_desktop.domain.dates import india_today
from mukta_desktop.domain.roles import Role
from mukta_desktop.services.database import Database
from mukta_desktop.services.masters import Masters
from mukta_desktop.services.users import Actor

from .background import Runner


@dataclass
class UiContext:
    db: Database
    actor: Actor
    masters: Masters
    runner: Runner
    today: Callable[[], date] = field(default=india_today)

    def has(self, role: Role) -> bool:
        return self.actor.has(role)
