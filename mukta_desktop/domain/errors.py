"""Errors the domain raises; each carries a message fit to show a user."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused an action. The message is plain words for the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class ValidationError(DomainError):
    """Input that does not satisfy a rule (names the field in `field`)."""


class PermissionDenied(DomainError):
    """The acting user lacks the role the action needs."""


class NotFound(DomainError):
    """A record that was asked for does not exist (or is not visible to the user)."""
