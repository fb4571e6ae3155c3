"""The Edit button on Slack: the /met form (a modal) filled in with what was recorded; its
submission is `/followups edit` of that follow-up, with only what changed.

The modal's private_metadata (which Slack holds, so nobody can change it) carries the
follow-up's number and id and where to answer; the values shown are asked of the core again on
submission, so a correction compares with what is stored, not with what a payload claims.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import FormContext, met_fields, met_modal
from adapters.slack.submissions import answer_submission
from bot.commands import Edit, EditForm
from bot.edits import changes_from_form
from bot.errors import UserError
from bot.met import MetInput
from bot.replies import CorrectionForm, Reply
from bot.services import FollowUpService, Requester
from rules.engine import Rulebook

__all__ = ["EDIT_FORM_CALLBACK", "CorrectionForms", "correction_modal", "prefilled"]

log = logging.getLogger(__name__)

EDIT_FORM_CALLBACK = "followup_edit_form"
# A form's submission must be answered within Slack's 3 seconds, errors included.
FORM_PROFILE_WAIT = 1.5

RequesterOf = Callable[..., Awaitable[Requester]]
AnswerForm = Callable[[FormContext, Reply, AsyncWebClient, Requester], Awaitable[None]]


@dataclass(frozen=True)
class _Correcting:
    """What the correction modal keeps in its private_metadata."""

    number: int
    follow_up_id: int
    response_url: str | None

    def encode(self) -> str:
        return json.dumps([self.number, self.follow_up_id, self.response_url])

    @classmethod
    def decode(cls, text: str) -> _Correcting | None:
        try:
            number, follow_up_id, url = json.loads(text)
        except (ValueError, TypeError):
            return None
        if not (isinstance(number, int) and isinstance(follow_up_id, int)):
            return None
        return cls(number, follow_up_id, url if isinstance(url, str) else None)


def correction_modal(
    rulebook: Rulebook, form: CorrectionForm, response_url: str | None
) -> dict[str, Any]:
    """The /met modal, titled for a correction, each input showing what was recorded."""
    view = met_modal(rulebook, FormContext())
    view["callback_id"] = EDIT_FORM_CALLBACK
    view["title"] = {"type": "plain_text", "text": "Correct a conversation", "emoji": False}
    view["private_metadata"] = _Correcting(form.number, form.follow_up_id, response_url).encode()
    return prefilled(view, form.fields)


def prefilled(view: dict[str, Any], shown: MetInput) -> dict[str, Any]:
    """The /met modal `view` with each input showing its field of `shown` (those it has)."""
    for block in view["blocks"]:
        value = getattr(shown, block["block_id"], "")
        element = block["element"]
        if not value:
            continue
        if element["type"] == "static_select":
            chosen = [o for o in element["options"] if o["value"] == value]
            if chosen:
                element["initial_option"] = chosen[0]
        else:
            # Slack shows initial values as given: no escaping (it is no mrkdwn).
            element["initial_value"] = value
    return view


class CorrectionForms:
    """Opens the correction modal for an Edit click, and saves what is submitted."""

    def __init__(
        self, service: FollowUpService, requester: RequesterOf, answer: AnswerForm
    ) -> None:
        self.service = service
        self.requester = requester
        self.answer = answer

    async def open(
        self, body: Mapping[str, Any], client: AsyncWebClient, form: CorrectionForm
    ) -> bool:
        """Open the modal for `form` in answer to the click `body`; False if Slack wouldn't."""
        trigger = body.get("trigger_id")
        url = body.get("response_url")
        if not isinstance(trigger, str):
            return False
        view = correction_modal(self.service.rulebook, form, url if isinstance(url, str) else None)
        try:
            await client.views_open(trigger_id=trigger, view=view)
        except SlackApiError as err:
            # The answer then shows what was recorded and how to type a correction instead.
            log.warning("Slack: the correction form didn't open (%s)", type(err).__name__)
            return False
        return True

    async def submitted(
        self,
        ack: AsyncAck,
        view: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        correcting = _Correcting.decode(str(view.get("private_metadata") or ""))

        async def submit() -> tuple[Reply, Requester]:
            if correcting is None:
                raise LookupError("a correction form without its follow-up")
            requester = await self.requester(context, client, wait=FORM_PROFILE_WAIT)
            return await self._save(requester, correcting, met_fields(view)), requester

        async def answer(reply: Reply, requester: Requester) -> None:
            url = correcting.response_url if correcting else None
            await self.answer(FormContext(response_url=url), reply, client, requester)

        await answer_submission(ack, "correction form", submit, answer)

    async def _save(
        self, requester: Requester, correcting: _Correcting, submitted: MetInput
    ) -> Reply:
        """The correction as the core takes it: compared with what is stored now."""
        ident = correcting.follow_up_id
        stored = await self.service.handle(
            requester, EditForm(correcting.number, follow_up_id=ident)
        )
        if stored.form is None:  # not theirs, or gone meanwhile
            return stored
        try:
            changes = changes_from_form(submitted, stored.form.fields)
        except UserError as err:
            return Reply(
                Reply.error(str(err)).sections, is_error=True, field_errors={"kind": str(err)}
            )
        return await self.service.handle(
            requester, Edit(correcting.number, changes, follow_up_id=ident)
        )
