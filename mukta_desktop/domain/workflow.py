"""Approval workflows as data: which role may take which action in which state.

The estimate workflow of DESIGN.md §2 (the MB workflow follows the same shape). Only the
creator edits, and only while the record is Drafted or Pending correction.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .errors import PermissionDenied, ValidationError
from .roles import Role


class Status(enum.StrEnum):
    DRAFTED = "DRAFTED"
    PENDING_VERIFICATION = "PENDING_VERIFICATION"
    PENDING_TECHNICAL_SANCTION = "PENDING_TECHNICAL_SANCTION"
    PENDING_APPROVAL = "PENDING_APPROVAL"
    PENDING_CORRECTION = "PENDING_CORRECTION"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.DRAFTED: "Drafted",
    Status.PENDING_VERIFICATION: "Pending verification",
    Status.PENDING_TECHNICAL_SANCTION: "Pending technical sanction",
    Status.PENDING_APPROVAL: "Pending approval",
    Status.PENDING_CORRECTION: "Pending correction",
    Status.APPROVED: "Approved",
    Status.REJECTED: "Rejected",
}
EDITABLE = frozenset({Status.DRAFTED, Status.PENDING_CORRECTION})
FINAL = frozenset({Status.APPROVED, Status.REJECTED})


class Action(enum.StrEnum):
    SUBMIT = "submit"
    VERIFY = "verify"
    SANCTION = "sanction"
    APPROVE = "approve"
    SEND_BACK = "send-back"
    SEND_BACK_TO_ORIGINATOR = "send-back-to-originator"
    RESUBMIT = "resubmit"
    REJECT = "reject"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.SUBMIT: "Submit",
    Action.VERIFY: "Verify and forward",
    Action.SANCTION: "Technical sanction",
    Action.APPROVE: "Approve",
    Action.SEND_BACK: "Send back",
    Action.SEND_BACK_TO_ORIGINATOR: "Send back to originator",
    Action.RESUBMIT: "Re-submit",
    Action.REJECT: "Reject",
}


@dataclass(frozen=True, slots=True)
class Transition:
    action: Action
    source: Status
    target: Status
    role: Role
    creator_only: bool = False


@dataclass(frozen=True, slots=True)
class Workflow:
    name: str
    transitions: tuple[Transition, ...]
    creator_role: Role

    def allowed(
        self, status: Status, roles: Iterable[Role], *, is_creator: bool
    ) -> list[Transition]:
        """The actions the user may take now, in the order the workflow lists them."""
        held = frozenset(roles)
        return [
            t
            for t in self.transitions
            if t.source is status and t.role in held and (is_creator or not t.creator_only)
        ]

    def transition(
        self, status: Status, action: Action, roles: Iterable[Role], *, is_creator: bool
    ) -> Transition:
        """The transition for `action`, or a refusal that says why in plain words."""
        candidates = [t for t in self.transitions if t.action is action and t.source is status]
        if not candidates:
            possible = sorted({t.action.label for t in self.transitions if t.source is status})
            what = ", ".join(possible) if possible else "nothing: it is final"
            raise ValidationError(
                f"'{action.label}' is not possible on {_a(self.name)} that is {status.label}; "
                f"possible now: {what}."
            )
        held = frozenset(roles)
        for t in candidates:
            if t.role in held and (is_creator or not t.creator_only):
                return t
        needed = " or ".join(sorted({t.role.value for t in candidates}))
        if any(t.role in held for t in candidates):
            raise PermissionDenied(f"Only the creator of this {self.name} may '{action.label}' it.")
        raise PermissionDenied(
            f"You may not '{action.label}' a {self.name} that is {status.label}: "
            f"it needs the {needed} role."
        )

    def can_edit(self, status: Status, roles: Iterable[Role], *, is_creator: bool) -> bool:
        return status in EDITABLE and is_creator and self.creator_role in frozenset(roles)


def _a(noun: str) -> str:
    """'an estimate', 'a measurement book'."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _t(
    action: Action, source: Status, target: Status, role: Role, creator: bool = False
) -> Transition:
    return Transition(action, source, target, role, creator)


S = Status
A = Action
ESTIMATE_WORKFLOW = Workflow(
    "estimate",
    (
        _t(A.SUBMIT, S.DRAFTED, S.PENDING_VERIFICATION, Role.ESTIMATE_CREATOR, True),
        _t(A.VERIFY, S.PENDING_VERIFICATION, S.PENDING_TECHNICAL_SANCTION, Role.ESTIMATE_VERIFIER),
        _t(A.SEND_BACK, S.PENDING_VERIFICATION, S.PENDING_CORRECTION, Role.ESTIMATE_VERIFIER),
        _t(A.REJECT, S.PENDING_VERIFICATION, S.REJECTED, Role.ESTIMATE_VERIFIER),
        _t(A.SANCTION, S.PENDING_TECHNICAL_SANCTION, S.PENDING_APPROVAL, Role.TECHNICAL_SANCTIONER),
        _t(
            A.SEND_BACK,
            S.PENDING_TECHNICAL_SANCTION,
            S.PENDING_VERIFICATION,
            Role.TECHNICAL_SANCTIONER,
        ),
        _t(
            A.SEND_BACK_TO_ORIGINATOR,
            S.PENDING_TECHNICAL_SANCTION,
            S.PENDING_CORRECTION,
            Role.TECHNICAL_SANCTIONER,
        ),
        _t(A.REJECT, S.PENDING_TECHNICAL_SANCTION, S.REJECTED, Role.TECHNICAL_SANCTIONER),
        _t(A.APPROVE, S.PENDING_APPROVAL, S.APPROVED, Role.ESTIMATE_APPROVER),
        _t(A.SEND_BACK, S.PENDING_APPROVAL, S.PENDING_TECHNICAL_SANCTION, Role.ESTIMATE_APPROVER),
        _t(
            A.SEND_BACK_TO_ORIGINATOR,
            S.PENDING_APPROVAL,
            S.PENDING_CORRECTION,
            Role.ESTIMATE_APPROVER,
        ),
        _t(A.REJECT, S.PENDING_APPROVAL, S.REJECTED, Role.ESTIMATE_APPROVER),
        _t(A.RESUBMIT, S.PENDING_CORRECTION, S.PENDING_VERIFICATION, Role.ESTIMATE_CREATOR, True),
    ),
    Role.ESTIMATE_CREATOR,
)


# Statuses whose records wait for someone holding the role (the inbox).
def waiting_for(workflow: Workflow) -> Mapping[Status, frozenset[Role]]:
    waiting: dict[Status, set[Role]] = {}
    for t in workflow.transitions:
        if not t.creator_only:
            waiting.setdefault(t.source, set()).add(t.role)
    return {status: frozenset(roles) for status, roles in waiting.items()}


# The Measurement Book: Save draft / Submit (creator), Verify and forward (verifier), Approve
# (approver), Send back (one step back), Send back to originator, Re-submit, Reject.
MB_WORKFLOW = Workflow(
    "measurement book",
    (
        _t(A.SUBMIT, S.DRAFTED, S.PENDING_VERIFICATION, Role.MB_CREATOR, True),
        _t(A.VERIFY, S.PENDING_VERIFICATION, S.PENDING_APPROVAL, Role.MB_VERIFIER),
        _t(A.SEND_BACK, S.PENDING_VERIFICATION, S.PENDING_CORRECTION, Role.MB_VERIFIER),
        _t(A.REJECT, S.PENDING_VERIFICATION, S.REJECTED, Role.MB_VERIFIER),
        _t(A.APPROVE, S.PENDING_APPROVAL, S.APPROVED, Role.MB_APPROVER),
        _t(A.SEND_BACK, S.PENDING_APPROVAL, S.PENDING_VERIFICATION, Role.MB_APPROVER),
        _t(A.SEND_BACK_TO_ORIGINATOR, S.PENDING_APPROVAL, S.PENDING_CORRECTION, Role.MB_APPROVER),
        _t(A.REJECT, S.PENDING_APPROVAL, S.REJECTED, Role.MB_APPROVER),
        _t(A.RESUBMIT, S.PENDING_CORRECTION, S.PENDING_VERIFICATION, Role.MB_CREATOR, True),
    ),
    Role.MB_CREATOR,
)
