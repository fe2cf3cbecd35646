"""The estimate workflow (DESIGN.md §2 "Estimate"): every role × action × status × creator,
checked against a table written from the design text, not from the module under test."""

from __future__ import annotations

import pytest

from mukta_desktop.domain.errors import PermissionDenied, ValidationError
from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.workflow import ESTIMATE_WORKFLOW, Action, Status

WF = ESTIMATE_WORKFLOW
CREATOR = Role.ESTIMATE_CREATOR
VERIFIER = Role.ESTIMATE_VERIFIER
SANCTIONER = Role.TECHNICAL_SANCTIONER
APPROVER = Role.ESTIMATE_APPROVER

# (action, from) → (role, creator only, to), from the design text:
# Submit: creator, Drafted → Pending verification; Verify and forward: verifier → Pending
# technical sanction; Technical sanction: sanctioner → Pending approval; Approve: approver →
# Approved; Send back: verifier → Pending correction, sanctioner → Pending verification,
# approver → Pending technical sanction; Send back to originator: sanctioner/approver →
# Pending correction; Re-submit: creator, Pending correction → Pending verification;
# Reject: verifier/sanctioner/approver → Rejected. Approved and Rejected are final.
EXPECTED: dict[tuple[Action, Status], tuple[Role, bool, Status]] = {
    (Action.SUBMIT, Status.DRAFTED): (CREATOR, True, Status.PENDING_VERIFICATION),
    (Action.VERIFY, Status.PENDING_VERIFICATION): (
        VERIFIER,
        False,
        Status.PENDING_TECHNICAL_SANCTION,
    ),
    (Action.SANCTION, Status.PENDING_TECHNICAL_SANCTION): (
        SANCTIONER,
        False,
        Status.PENDING_APPROVAL,
    ),
    (Action.APPROVE, Status.PENDING_APPROVAL): (APPROVER, False, Status.APPROVED),
    (Action.SEND_BACK, Status.PENDING_VERIFICATION): (VERIFIER, False, Status.PENDING_CORRECTION),
    (Action.SEND_BACK, Status.PENDING_TECHNICAL_SANCTION): (
        SANCTIONER,
        False,
        Status.PENDING_VERIFICATION,
    ),
    (Action.SEND_BACK, Status.PENDING_APPROVAL): (
        APPROVER,
        False,
        Status.PENDING_TECHNICAL_SANCTION,
    ),
    (Action.SEND_BACK_TO_ORIGINATOR, Status.PENDING_TECHNICAL_SANCTION): (
        SANCTIONER,
        False,
        Status.PENDING_CORRECTION,
    ),
    (Action.SEND_BACK_TO_ORIGINATOR, Status.PENDING_APPROVAL): (
        APPROVER,
        False,
        Status.PENDING_CORRECTION,
    ),
    (Action.RESUBMIT, Status.PENDING_CORRECTION): (CREATOR, True, Status.PENDING_VERIFICATION),
    (Action.REJECT, Status.PENDING_VERIFICATION): (VERIFIER, False, Status.REJECTED),
    (Action.REJECT, Status.PENDING_TECHNICAL_SANCTION): (SANCTIONER, False, Status.REJECTED),
    (Action.REJECT, Status.PENDING_APPROVAL): (APPROVER, False, Status.REJECTED),
}

LABELS = {
    Action.SUBMIT: "Submit",
    Action.VERIFY: "Verify and forward",
    Action.SANCTION: "Technical sanction",
    Action.APPROVE: "Approve",
    Action.SEND_BACK: "Send back",
    Action.SEND_BACK_TO_ORIGINATOR: "Send back to originator",
    Action.RESUBMIT: "Re-submit",
    Action.REJECT: "Reject",
}
STATUS_LABELS = {
    Status.DRAFTED: "Drafted",
    Status.PENDING_VERIFICATION: "Pending verification",
    Status.PENDING_TECHNICAL_SANCTION: "Pending technical sanction",
    Status.PENDING_APPROVAL: "Pending approval",
    Status.PENDING_CORRECTION: "Pending correction",
    Status.APPROVED: "Approved",
    Status.REJECTED: "Rejected",
}


def possible_at(status: Status) -> set[Action]:
    return {action for (action, source) in EXPECTED if source is status}


def test_enums_are_what_the_table_covers() -> None:
    assert set(Action) == set(LABELS)
    assert set(Status) == set(STATUS_LABELS)
    assert {a.label for a in Action} == set(LABELS.values())
    assert all(a.label == LABELS[a] for a in Action)
    assert all(s.label == STATUS_LABELS[s] for s in Status)


def test_the_workflow_has_exactly_the_designed_transitions() -> None:
    got = {(t.action, t.source): (t.role, t.creator_only, t.target) for t in WF.transitions}
    assert len(got) == len(WF.transitions)  # no duplicates hiding behind the dict
    assert got == EXPECTED
    assert WF.creator_role is CREATOR


# --- the full matrix ------------------------------------------------------------------------


@pytest.mark.parametrize("is_creator", [True, False], ids=["creator", "other"])
@pytest.mark.parametrize("status", list(Status), ids=lambda s: s.value)
@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_matrix(role: Role, action: Action, status: Status, is_creator: bool) -> None:
    expected = EXPECTED.get((action, status))
    if expected is None:
        with pytest.raises(ValidationError) as refused:
            WF.transition(status, action, [role], is_creator=is_creator)
        assert not isinstance(refused.value, PermissionDenied)
        message = refused.value.message
        assert f"'{LABELS[action]}' is not possible" in message
        assert STATUS_LABELS[status] in message
        possible = possible_at(status)
        if possible:
            for other in possible:
                assert LABELS[other] in message
        else:
            assert status in (Status.APPROVED, Status.REJECTED)
            assert "final" in message
        return

    needed, creator_only, target = expected
    if role is needed and (is_creator or not creator_only):
        transition = WF.transition(status, action, [role], is_creator=is_creator)
        assert transition.target is target
        assert transition.action is action
        assert transition.source is status
        assert transition.role is role
        return

    with pytest.raises(PermissionDenied) as denied:
        WF.transition(status, action, [role], is_creator=is_creator)
    message = denied.value.message
    assert LABELS[action] in message
    if role is needed:  # the right role, but not the creator of this estimate
        assert creator_only
        assert not is_creator
        assert "Only the creator" in message
    else:
        assert needed.value in message
        assert "role" in message


@pytest.mark.parametrize("is_creator", [True, False], ids=["creator", "other"])
@pytest.mark.parametrize("status", list(Status), ids=lambda s: s.value)
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_allowed_matches_the_table(role: Role, status: Status, is_creator: bool) -> None:
    expected = {
        action
        for (action, source), (needed, creator_only, _) in EXPECTED.items()
        if source is status and needed is role and (is_creator or not creator_only)
    }
    got = WF.allowed(status, [role], is_creator=is_creator)
    assert {t.action for t in got} == expected
    assert len(got) == len(expected)


def test_allowed_in_workflow_order() -> None:
    got = WF.allowed(Status.PENDING_TECHNICAL_SANCTION, [SANCTIONER], is_creator=False)
    assert [t.action for t in got] == [
        Action.SANCTION,
        Action.SEND_BACK,
        Action.SEND_BACK_TO_ORIGINATOR,
        Action.REJECT,
    ]
    assert [t.target for t in got] == [
        Status.PENDING_APPROVAL,
        Status.PENDING_VERIFICATION,
        Status.PENDING_CORRECTION,
        Status.REJECTED,
    ]


def test_nothing_allowed_without_roles() -> None:
    for status in Status:
        assert WF.allowed(status, [], is_creator=True) == []


@pytest.mark.parametrize("status", [Status.APPROVED, Status.REJECTED])
def test_final_states_allow_nothing_to_anyone(status: Status) -> None:
    assert WF.allowed(status, list(Role), is_creator=True) == []
    for action in Action:
        with pytest.raises(ValidationError, match="final"):
            WF.transition(status, action, list(Role), is_creator=True)


def test_wrong_state_is_reported_before_the_role() -> None:
    # A verifier trying to approve a record pending verification: the action does not exist
    # there, whoever asks.
    with pytest.raises(ValidationError) as refused:
        WF.transition(Status.PENDING_VERIFICATION, Action.APPROVE, [VERIFIER], is_creator=False)
    assert not isinstance(refused.value, PermissionDenied)
    message = refused.value.message
    assert "Verify and forward" in message
    assert "Send back" in message
    assert "Reject" in message
    assert "Submit" not in message


def test_reject_needs_the_role_of_the_step() -> None:
    with pytest.raises(PermissionDenied) as denied:
        WF.transition(
            Status.PENDING_APPROVAL, Action.REJECT, [VERIFIER, SANCTIONER], is_creator=False
        )
    assert "ESTIMATE_APPROVER" in denied.value.message
    assert "ESTIMATE_VERIFIER" not in denied.value.message


# --- editing --------------------------------------------------------------------------------


@pytest.mark.parametrize("is_creator", [True, False], ids=["creator", "other"])
@pytest.mark.parametrize("status", list(Status), ids=lambda s: s.value)
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_can_edit(role: Role, status: Status, is_creator: bool) -> None:
    expected = (
        role is CREATOR and is_creator and status in (Status.DRAFTED, Status.PENDING_CORRECTION)
    )
    assert WF.can_edit(status, [role], is_creator=is_creator) is expected


def test_can_edit_with_several_roles() -> None:
    everything = list(Role)
    assert WF.can_edit(Status.DRAFTED, everything, is_creator=True)
    assert WF.can_edit(Status.PENDING_CORRECTION, everything, is_creator=True)
    assert not WF.can_edit(Status.DRAFTED, everything, is_creator=False)
    assert not WF.can_edit(Status.PENDING_VERIFICATION, everything, is_creator=True)
    assert not WF.can_edit(Status.APPROVED, everything, is_creator=True)


# --- the inbox --------------------------------------------------------------------------------


def test_waiting_for() -> None:
    from mukta_desktop.domain.workflow import waiting_for

    assert dict(waiting_for(WF)) == {
        Status.PENDING_VERIFICATION: frozenset({VERIFIER}),
        Status.PENDING_TECHNICAL_SANCTION: frozenset({SANCTIONER}),
        Status.PENDING_APPROVAL: frozenset({APPROVER}),
    }


# --- small ULBs: one user, several roles ----------------------------------------------------


def test_one_user_with_every_estimate_role_walks_the_whole_way() -> None:
    roles = [CREATOR, VERIFIER, SANCTIONER, APPROVER]
    status = Status.DRAFTED
    path = [Action.SUBMIT, Action.VERIFY, Action.SANCTION, Action.APPROVE]
    seen = [status]
    for action in path:
        status = WF.transition(status, action, roles, is_creator=True).target
        seen.append(status)
    assert seen == [
        Status.DRAFTED,
        Status.PENDING_VERIFICATION,
        Status.PENDING_TECHNICAL_SANCTION,
        Status.PENDING_APPROVAL,
        Status.APPROVED,
    ]


def test_send_back_round_trip_with_several_roles() -> None:
    roles = {CREATOR, VERIFIER, SANCTIONER, APPROVER}
    status = Status.PENDING_APPROVAL
    for action, expected in [
        (Action.SEND_BACK, Status.PENDING_TECHNICAL_SANCTION),
        (Action.SEND_BACK, Status.PENDING_VERIFICATION),
        (Action.SEND_BACK, Status.PENDING_CORRECTION),
        (Action.RESUBMIT, Status.PENDING_VERIFICATION),
        (Action.VERIFY, Status.PENDING_TECHNICAL_SANCTION),
        (Action.SEND_BACK_TO_ORIGINATOR, Status.PENDING_CORRECTION),
    ]:
        status = WF.transition(status, action, roles, is_creator=True).target
        assert status is expected


def test_verifier_and_sanctioner_acts_at_both_steps() -> None:
    roles = frozenset({VERIFIER, SANCTIONER})
    assert [t.action for t in WF.allowed(Status.PENDING_VERIFICATION, roles, is_creator=False)] == [
        Action.VERIFY,
        Action.SEND_BACK,
        Action.REJECT,
    ]
    status = WF.transition(
        Status.PENDING_VERIFICATION, Action.VERIFY, roles, is_creator=False
    ).target
    status = WF.transition(status, Action.SANCTION, roles, is_creator=False).target
    assert status is Status.PENDING_APPROVAL
    with pytest.raises(PermissionDenied, match="ESTIMATE_APPROVER"):
        WF.transition(status, Action.APPROVE, roles, is_creator=False)


def test_creator_role_without_being_the_creator_with_another_role() -> None:
    roles = [CREATOR, VERIFIER]
    with pytest.raises(PermissionDenied, match="Only the creator"):
        WF.transition(Status.PENDING_CORRECTION, Action.RESUBMIT, roles, is_creator=False)
    assert WF.allowed(Status.PENDING_CORRECTION, roles, is_creator=False) == []
    assert [t.action for t in WF.allowed(Status.PENDING_CORRECTION, roles, is_creator=True)] == [
        Action.RESUBMIT
    ]


def test_roles_may_be_any_iterable() -> None:
    roles = (r for r in [VERIFIER])
    t = WF.transition(Status.PENDING_VERIFICATION, Action.VERIFY, roles, is_creator=False)
    assert t.target is Status.PENDING_TECHNICAL_SANCTION
    gen = (r for r in [VERIFIER])
    assert [t.action for t in WF.allowed(Status.PENDING_VERIFICATION, gen, is_creator=False)] == [
        Action.VERIFY,
        Action.SEND_BACK,
        Action.REJECT,
    ]
