"""A form's submission (the /met form, the correction form) answered as Slack asks: within its
3 seconds, problems shown on their fields, otherwise the form closed and the answer sent where
the form came from."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_bolt.context.ack.async_ack import AsyncAck

from adapters.slack.authorize import SORRY
from adapters.slack.blocks import modal_errors
from bot.replies import Reply
from bot.services import Requester

__all__ = ["answer_submission"]

log = logging.getLogger(__name__)


async def answer_submission(
    ack: AsyncAck,
    what: str,
    submit: Callable[[], Awaitable[tuple[Reply, Requester]]],
    answer: Callable[[Reply, Requester], Awaitable[None]],
    errors: Callable[[Reply], dict[str, str]] = modal_errors,
) -> None:
    """Run `submit`; ack with its problems by field (`errors`: the /met form's by default), or
    ack and `answer`. A failure is logged by its type only (its text may quote what the student
    typed) and shown on the form."""
    try:
        reply, requester = await submit()
    except Exception as err:
        log.error("Slack: the %s failed with %s", what, type(err).__name__)
        await ack(response_action="errors", errors=errors(Reply.error(SORRY)))
        return
    if reply.is_error:
        await ack(response_action="errors", errors=errors(reply))
        return
    await ack()
    try:
        await answer(reply, requester)
    except Exception as err:
        log.error("Slack: answering the %s failed with %s", what, type(err).__name__)
