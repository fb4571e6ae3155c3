"""/met: record a conversation, plan its follow-ups and their nudges."""

from __future__ import annotations

import re
from dataclasses import replace

from bot import messages
from bot.commands import Met
from bot.domain import Conversation, FairVisit, FollowUp, company_key
from bot.fairs import listed_name
from bot.handlers.clubs import event_logged_at
from bot.handlers.context import Context
from bot.handlers.fairs import fair_of_conversation
from bot.messages.fairs import ignored_priority, matched_line
from bot.met import MetInput, validate_met, when_prefix
from bot.replies import Reply, Section
from rules.engine import Rulebook, plan_follow_ups

__all__ = ["record_conversation"]

# `event:#12`: the club event #12, as its card and /club events number it.
_EVENT_NUMBER = re.compile(r"#\s*(\d{1,9})")


def _event_number(event: str) -> int | None:
    found = _EVENT_NUMBER.fullmatch(event.strip())
    return int(found[1]) if found else None


async def record_conversation(command: Met, ctx: Context) -> Reply:
    """Save who they met and the follow-ups the rules ask for; answer with the plan."""
    now, zone, person_id = ctx.now, ctx.zone, ctx.person_id
    where = command.where

    async def read(channel: str | None) -> tuple[Rulebook, MetInput]:
        # A conversation logged in a club's channel follows the club's own rulebook, if it has
        # one: its kinds read the text too.
        rulebook = (await ctx.books_in(channel)).rulebook
        return rulebook, command.fields or MetInput.from_text(
            command.text,
            time_prefix=when_prefix(now, zone),
            is_kind=lambda text: rulebook.find_kind(text) is not None,
        )

    rulebook, fields = await read(where)
    event_id = command.at_event if command.at_event is not None else _event_number(fields.event)
    if event_id is not None:
        # Logged from a club's event (its Log who I met button, in the channel or in the DM
        # after it): the conversation is the club's, wherever the form was sent from, so its
        # follow-ups use the club's rules and its digest counts it.
        club, club_event = await event_logged_at(ctx, event_id, where)
        if club.channel != where:
            where = club.channel
            rulebook, fields = await read(where)
        if not fields.event.strip() or _event_number(fields.event) is not None:
            fields = replace(fields, event=club_event.title)
    details = validate_met(fields, rulebook, now=now, zone=zone)
    follow_ups = ctx.uow.follow_ups
    earlier = await follow_ups.conversations_at(person_id, company_key(details.company))
    notes: list[Section] = []
    priority, event, company = details.priority, details.event, details.company
    if priority is not None and details.kind.required:
        # The guide: follow up after every interview and call, without exception.
        notes.append(ignored_priority(details.kind))
        priority = None
    at_fair = await fair_of_conversation(
        ctx, company=details.company, event=event, kind=details.kind, met_at=details.met_at
    )
    if at_fair is not None:
        fair, entry = at_fair
        notes.insert(0, matched_line(fair, entry, details.company))
        # The list's tier, unless they typed one; the fair's name, so drafts can mention it.
        if entry is not None and priority is None and not details.kind.required:
            priority = entry.priority
        if entry is not None:
            company = listed_name(entry, company)
        event = event or fair.name
    conversation = await follow_ups.add_conversation(
        Conversation(
            person_id=person_id,
            contact_name=details.name,
            company=company,
            kind=details.kind.key,
            met_at=details.met_at,
            created_at=now,
            topics=details.topics,
            event=event,
            priority=priority,
            logged_in=where,
        )
    )
    assert conversation.id is not None
    if at_fair is not None:
        fair, entry = at_fair
        assert fair.id is not None
        await ctx.uow.fairs.add_visit(
            FairVisit(fair.id, conversation.id, entry.id if entry is not None else None)
        )
    # Every person met gets their own follow-ups (the guide: a personalized email to every
    # person you interacted with), numbered person by person.
    planned = plan_follow_ups(details.kind, details.met_at)
    numbers = iter(await follow_ups.allocate_numbers(person_id, len(planned) * len(details.people)))
    added = await follow_ups.add(
        [
            FollowUp.planned(
                plan,
                person_id=person_id,
                conversation_id=conversation.id,
                number=next(numbers),
                contact=contact,
                greeting=greeting,
            )
            for contact, greeting in zip(details.people, details.greetings, strict=True)
            for plan in planned
        ]
    )
    # The command's own moment counts: "47 hours ago" makes a last call due right now, which a
    # later reading of the clock would already call past.
    nudged = await ctx.planner.place_new(ctx.person, conversation, added)
    reply = messages.plan_reply(
        conversation=conversation,
        kind=details.kind,
        follow_ups=nudged,
        earlier=earlier,
        person=ctx.person,
        rulebook=rulebook,
        now=now,
        zone=zone,
        nudged=any(nudges for _, nudges in nudged),
    )
    # Right after "Saved: ...", what it was matched to and what was ignored.
    return replace(reply, sections=(*reply.sections[:1], *notes, *reply.sections[1:]))
