"""Writing help: a draft of a follow-up to copy, and a check of any message before it goes."""

from __future__ import annotations

from bot.commands import Check, Draft, EditGreeting
from bot.draft_reply import draft_reply
from bot.errors import UserError
from bot.handlers.context import Context
from bot.messages import follow_ups as say
from bot.met import LIMITS, clean_text
from bot.proofread import CHECK_LIMIT, check_reply
from bot.replies import Reply

__all__ = ["check", "draft", "edit_greeting"]


async def draft(command: Draft, ctx: Context) -> Reply:
    follow_up, conversation = await ctx.follow_up(command)
    assert conversation.id is not None
    books = await ctx.books_in(conversation.logged_in)
    return draft_reply(
        book=books.drafts,
        proofreader=ctx.deps.proofreader,
        follow_up=follow_up,
        conversation=conversation,
        siblings=await ctx.uow.follow_ups.of_conversation(conversation.id),
        person=ctx.person,
        rulebook=books.rulebook,
        now=ctx.now,
        zone=ctx.zone,
        names=await ctx.uow.follow_ups.recorded_names(ctx.person_id),
    )


async def edit_greeting(command: EditGreeting, ctx: Context) -> Reply:
    """How the drafts to one person greet them: their follow-ups of that conversation (an email
    and a LinkedIn note, say) all change together."""
    follow_up, conversation = await ctx.follow_up(command)
    greeting = clean_text(command.greeting) if command.greeting is not None else None
    if greeting is not None and not greeting:
        raise UserError(say.greeting_problem(follow_up.number))
    if greeting is not None and len(greeting) > LIMITS["greet"]:
        raise UserError(say.greeting_problem(follow_up.number, LIMITS["greet"]))
    contact = follow_up.contact_in(conversation)
    for sibling in await ctx.uow.follow_ups.of_conversation(conversation.id or 0):
        if sibling.contact_in(conversation) == contact:
            sibling.greeting = greeting
            await ctx.uow.follow_ups.update(sibling)
    return say.greeting_changed(follow_up, contact, greeting)


async def check(command: Check, ctx: Context) -> Reply:
    if len(command.text) > CHECK_LIMIT:
        raise UserError(say.too_long_to_check(len(command.text), CHECK_LIMIT))
    # The names they recorded are spelt as they wrote them: not spelling mistakes.
    names = await ctx.uow.follow_ups.recorded_names(ctx.person_id)
    names.update(n for n in (ctx.person.name, ctx.person.display_name) if n)
    return check_reply(ctx.deps.proofreader.check(command.text, names=names))
