"""Rows to the domain's dataclasses and back.

Rows are unpacked by position, in their table's column order (a test checks each mapper against
its table): for the thousands of rows of a dispatch batch, that is several times faster than
looking columns up by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain import (
    Address,
    Conversation,
    FollowUp,
    FollowUpStatus,
    JobStatus,
    LinkedInPlan,
    Nudge,
    NudgeStatus,
    Person,
    Workspace,
    clip_reason,
)
from rules.engine import NudgeKind, QuietHours

__all__ = [
    "SETTLED_COLUMNS",
    "conversation_from",
    "conversation_values",
    "follow_up_from",
    "follow_up_values",
    "nudge_from",
    "nudge_values",
    "person_from",
    "person_values",
    "workspace_from",
]

# Stored values to enum members by dictionary: calling the Enum class is the slow part of
# mapping a dispatch batch's rows.
_JOB_STATUS = {m.value: m for m in JobStatus}
_LINKEDIN_PLAN = {m.value: m for m in LinkedInPlan}
_FOLLOW_UP_STATUS = {m.value: m for m in FollowUpStatus}
_NUDGE_KIND = {m.value: m for m in NudgeKind}
_NUDGE_STATUS = {m.value: m for m in NudgeStatus}


def person_values(person: Person) -> dict[str, Any]:
    return {
        "platform": person.address.platform,
        "workspace": person.address.workspace,
        "user_id": person.address.user,
        "name": person.name,
        "display_name": person.display_name,
        "timezone": person.timezone,
        "platform_timezone": person.platform_timezone,
        "quiet_start": person.quiet_hours.start if person.quiet_hours else None,
        "quiet_end": person.quiet_hours.end if person.quiet_hours else None,
        "nudges_on": person.nudges_on,
        "job_status": person.job_status.value,
        "linkedin_plan": person.linkedin_plan.value,
        "undeliverable": person.undeliverable,
        "zone_hint_shown": person.zone_hint_shown,
        "shoutouts": person.shoutouts,
        "digest_at": person.digest_at,
        # Not `linked_to`: only the Accounts repository joins and splits accounts, so that a
        # person read before a join can't undo it when written back.
    }


def person_from(row: Sequence[Any]) -> Person:
    (
        id_,
        platform,
        workspace,
        user_id,
        name,
        display_name,
        timezone,
        platform_timezone,
        quiet_start,
        quiet_end,
        nudges_on,
        job_status,
        linkedin_plan,
        undeliverable,
        zone_hint_shown,
        _next_number,
        created_at,
        linked_to,
        shoutouts,
        digest_at,
    ) = row
    quiet = (
        QuietHours(quiet_start, quiet_end)
        if quiet_start is not None and quiet_end is not None
        else None
    )
    return Person(
        id=id_,
        address=Address(platform, workspace, user_id),
        created_at=created_at,
        name=name,
        display_name=display_name,
        timezone=timezone,
        platform_timezone=platform_timezone,
        quiet_hours=quiet,
        nudges_on=nudges_on,
        job_status=_JOB_STATUS[job_status],
        linkedin_plan=_LINKEDIN_PLAN[linkedin_plan],
        undeliverable=undeliverable,
        zone_hint_shown=zone_hint_shown,
        linked_to=linked_to,
        shoutouts=shoutouts,
        digest_at=digest_at,
    )


def conversation_values(conversation: Conversation) -> dict[str, Any]:
    return {
        "person_id": conversation.person_id,
        "contact_name": conversation.contact_name,
        "company": conversation.company,
        "company_key": conversation.company_key,
        "kind": conversation.kind,
        "met_at": conversation.met_at,
        "topics": conversation.topics,
        "event": conversation.event,
        "priority": conversation.priority,
        "logged_in": conversation.logged_in,
        "created_at": conversation.created_at,
    }


def conversation_from(row: Sequence[Any]) -> Conversation:
    (
        id_,
        person_id,
        contact_name,
        company,
        _company_key,
        kind,
        met_at,
        topics,
        event,
        priority,
        logged_in,
        created_at,
    ) = row
    return Conversation(
        id=id_,
        person_id=person_id,
        contact_name=contact_name,
        company=company,
        kind=kind,
        met_at=met_at,
        created_at=created_at,
        topics=topics,
        event=event,
        priority=priority,
        logged_in=logged_in,
    )


def follow_up_values(follow_up: FollowUp) -> dict[str, Any]:
    return {
        "methods": ",".join(follow_up.methods),
        "ideal_by": follow_up.ideal_by,
        "due_by": follow_up.due_by,
        "optional": follow_up.optional,
        "status": follow_up.status.value,
        "done_via": follow_up.done_via,
        "snoozed_until": follow_up.snoozed_until,
        "closed_at": follow_up.closed_at,
        "contact_name": follow_up.contact,
        "greeting": follow_up.greeting,
    }


def follow_up_from(row: Sequence[Any]) -> FollowUp:
    (
        id_,
        person_id,
        conversation_id,
        number,
        methods,
        ideal_by,
        due_by,
        optional,
        status,
        done_via,
        snoozed_until,
        closed_at,
        contact_name,
        greeting,
    ) = row
    return FollowUp(
        id=id_,
        person_id=person_id,
        conversation_id=conversation_id,
        number=number,
        methods=tuple(methods.split(",")),
        ideal_by=ideal_by,
        due_by=due_by,
        optional=optional,
        status=_FOLLOW_UP_STATUS[status],
        done_via=done_via,
        snoozed_until=snoozed_until,
        closed_at=closed_at,
        contact=contact_name,
        greeting=greeting,
    )


def workspace_from(row: Sequence[Any]) -> Workspace:
    (
        platform,
        id_,
        default_timezone,
        undeliverable,
        undeliverable_since,
    ) = row
    return Workspace(
        platform=platform,
        id=id_,
        default_timezone=default_timezone,
        undeliverable=undeliverable,
        undeliverable_since=undeliverable_since,
    )


# What settling a nudge may change (never its follow-up, kind or due time).
SETTLED_COLUMNS = (
    "status",
    "attempts",
    "next_attempt_at",
    "lease_owner",
    "lease_expires_at",
    "sent_at",
    "last_error",
)


def nudge_values(nudge: Nudge) -> dict[str, Any]:
    return {
        "kind": nudge.kind.value,
        "due_at": nudge.due_at,
        "status": nudge.status.value,
        "attempts": nudge.attempts,
        "next_attempt_at": nudge.next_attempt_at,
        "lease_owner": nudge.lease_owner,
        "lease_expires_at": nudge.lease_expires_at,
        "sent_at": nudge.sent_at,
        "last_error": clip_reason(nudge.last_error) or None,  # an empty error is none
    }


def nudge_from(row: Sequence[Any]) -> Nudge:
    (
        id_,
        follow_up_id,
        kind,
        due_at,
        status,
        attempts,
        next_attempt_at,
        lease_owner,
        lease_expires_at,
        sent_at,
        last_error,
    ) = row
    return Nudge(
        id=id_,
        follow_up_id=follow_up_id,
        kind=_NUDGE_KIND[kind],
        due_at=due_at,
        status=_NUDGE_STATUS[status],
        attempts=attempts,
        next_attempt_at=next_attempt_at,
        lease_owner=lease_owner,
        lease_expires_at=lease_expires_at,
        sent_at=sent_at,
        last_error=last_error,
    )
