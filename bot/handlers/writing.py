"""Writing help: a draft of a follow-up to copy, and a check of any message before it goes."""

from __future__ import annotations

from bot.commands import Check, Draft
from bot.draft_reply import draft_reply
from bot.errors import UserError
from bot.handlers.context import Context
from bot.messages import follow_ups as say
from bot.proofread import CHECK_LIMIT, check_reply
from bot.replies import Reply

__all__ = ["check", "draft"]


async def draft(command: Draft, ctx: Context) -> Reply:
    follow_up, conversation = await ctx.follow_up(command)
    assert conversation.id is not None
    return draft_reply(
        book=ctx.deps.drafts,
        proofreader=ctx.deps.proofreader,
        follow_up=follow_up,
        conversation=conversation,
        siblings=await ctx.uow.follow_ups.of_conversation(conversation.id),
        person=ctx.person,
        rulebook=ctx.rulebook,
        now=ctx.now,
        zone=ctx.zone,
        names=await ctx.uow.follow_ups.recorded_names(ctx.person_id),
    )


async def check(command: Check, ctx: Context) -> Reply:
    if len(command.text) > CHECK_LIMIT:
        raise UserError(say.too_long_to_check(len(command.text), CHECK_LIMIT))
    # The names they recorded are spelt as they wrote them: not spelling mistakes.
    names = await ctx.uow.follow_ups.recorded_names(ctx.person_id)
    names.update(n for n in (ctx.person.name, ctx.person.display_name) if n)
    return check_reply(ctx.deps.proofreader.check(command.text, names=names))
