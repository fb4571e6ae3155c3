"""The bolt app: Slack requests in, core commands for the verified team and user, Block Kit out.

- Commands and buttons are acked before anything else, the check for a repeated request
  included (it reads the database, which may be slow: Slack gives up on an ack after 3 s), and
  answered through response_url; a database that doesn't answer in time gets the student a
  "try again in a moment" there. Only the form's submission is answered in its ack (its
  errors show on its fields), so it is checked and handled first, within the database's
  timeout.
- /met TEXT, /followups ... and /club ...: answered ephemerally (response_url), whatever the channel, so
  nothing about a contact is ever visible to a channel.
- /met alone: the form (a modal); its errors show on its fields, its plan is answered where
  /met was typed, ephemerally.
- A button: the command it stands for, on its follow-up id (the core checks the clicker owns
  it). In a DM the message is updated in place; elsewhere the answer is ephemeral. A follow-up
  picked from a DM's menu is answered ephemerally, with its buttons.
- app_uninstalled, tokens_revoked: sends to the workspace stop at once; its install is deleted.
- Whose token answers: `KnownInstalls` (authorize.py), from the configured token or our
  installation store, never a Slack call before the ack; a workspace without an install is
  acked and told so afterwards (`answer_refusals`).

Listeners never raise: an unexpected error is logged by its type (never its text, which may
quote contact data) and the student is told something went wrong.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.kwargs_injection.async_args import AsyncArgs
from slack_bolt.listener.async_builtins import AsyncTokenRevocationListeners
from slack_bolt.logger.messages import (
    warning_client_prioritized_and_token_skipped,
    warning_token_skipped,
)
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack import PLATFORM
from adapters.slack.authorize import NOT_INSTALLED, SORRY, KnownInstalls, answer_refusals
from adapters.slack.blocks import (
    ACTION_ID_PREFIX,
    FAIR_FORM_CALLBACK,
    MET_FORM_CALLBACK,
    FormContext,
    decode_action,
    fair_fields,
    fair_modal,
    fair_modal_errors,
    forgotten_home,
    home_page,
    home_view,
    met_fields,
    met_modal,
    pages,
    replace_follow_up,
    split_blocks,
    unescape,
)
from adapters.slack.clubs import (
    CLUB_ACTION_PREFIX,
    EVENT_FORM_CALLBACK,
    RULES_FORM_CALLBACK,
    EventFormContext,
    RulesFormContext,
    club_command,
    event_fields,
    event_form_errors,
    event_modal,
    met_form_for,
    open_view,
    pasted_rules,
    rules_form_errors,
    rules_modal,
)
from adapters.slack.config import BOT_SCOPES, INSTALL_PATH, REDIRECT_PATH, SlackConfig
from adapters.slack.corrections import EDIT_FORM_CALLBACK, CorrectionForms
from adapters.slack.dedupe import SeenRequests, request_key
from adapters.slack.files import share_privately
from adapters.slack.messenger import retry_after_seconds
from adapters.slack.oauth import InstallFlow, oauth_log
from adapters.slack.profiles import Profiles
from adapters.slack.submissions import answer_submission
from adapters.slack.verification import SignatureCheck
from adapters.slack.workspaces import InstallationStore, Workspaces, workspace_of
from bot.club_commands import EVENT_EXAMPLE as EXAMPLE_EVENT
from bot.club_commands import EventForm, LogAtEvent
from bot.commands import (
    Command,
    FairForm,
    ForgetMe,
    Home,
    Met,
    MetForm,
    command_for,
    parse_command,
    plan_from_form,
)
from bot.domain import Address, Channel
from bot.errors import UserError
from bot.fairs import FairError
from bot.met import EXAMPLE
from bot.replies import Action, ActionKind, Reply
from bot.services import FollowUpService, Requester

__all__ = ["RemovalEvents", "SlackHandlers", "build_app"]

log = logging.getLogger(__name__)

# How long a command waits for users.info (the student's zone) after it is acked.
PROFILE_WAIT = 5.0
# A form's submission must be answered within Slack's 3 seconds, errors included.
FORM_PROFILE_WAIT = 1.5
# bolt reads SLACK_BOT_TOKEN from the environment itself, and on every start warns that it won't
# use it: the client handed to it carries the token, and `KnownInstalls` authorizes. Not news.
UNUSED_TOKEN_WARNINGS = frozenset(
    {warning_client_prioritized_and_token_skipped(), warning_token_skipped()}
)


FAIR_EXAMPLE = '/fair plan "Spring Career Fair" Acme:1, Globex, Initech:2 when:friday'


async def _open_modal(
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    view: dict[str, Any],
    example: str,
) -> bool:
    """Open a form in answer to a command; whether it opened (if not, the student is told how
    to type it instead)."""
    try:
        await client.views_open(trigger_id=_text(body, "trigger_id") or "", view=view)
    except SlackApiError as err:
        if err.response.status_code == 429:
            wait = retry_after_seconds(err.response.headers)
            first = f"Slack is busy: the form can't open for about {wait:.0f} seconds."
        else:
            first = "I couldn't open the form."
        await _answer(respond, Reply.error(first, f"You can type it instead: {example}"))
        return False
    return True


class SlackHandlers:
    """The listeners, bound to the core's service."""

    def __init__(
        self,
        service: FollowUpService,
        *,
        profiles: Profiles,
        clients: Callable[[str], AbstractAsyncContextManager[AsyncWebClient | None]] | None = None,
    ) -> None:
        self.service = service
        self.profiles = profiles
        # A client with the token of a workspace (None: not installed there), for the Home
        # tab of a student whose change came from elsewhere (Discord, the console, a form).
        self.clients = clients
        self.corrections = CorrectionForms(service, self.requester, self._answer_form)

    # -- who is asking ---------------------------------------------------------------------

    async def requester(
        self,
        context: AsyncBoltContext,
        client: AsyncWebClient,
        *,
        wait: float,
        channel: Channel | None = None,
    ) -> Requester:
        """The verified sender (the request's signature covers team and user), with the zone
        and name Slack has for them, whether they administer the workspace, and the shared
        `channel` their command came from."""
        workspace = _workspace(context)
        user = context.user_id
        if not workspace or not user:
            raise LookupError("a request without a team or a user")
        profile = await self.profiles.lookup(client, workspace, user, wait=wait)
        return Requester(
            Address(PLATFORM, workspace, user),
            profile.display_name,
            profile.timezone,
            channel=channel,
            manages_workspace=profile.is_admin,
        )

    # -- slash commands ----------------------------------------------------------------------

    async def command(self, args: AsyncArgs) -> None:
        """/met, /followups and /fair, as typed (/met alone opens the form; /fair plan alone,
        or /fair before there is a list, the fair form). Acked already."""
        body, context, client, respond = args.body, args.context, args.client, args.respond
        name = _text(body, "command") or "/followups"
        channel = _text(body, "channel_id")
        try:
            try:
                command = parse_command(f"{name} {_typed(body)}", where=channel)
            except UserError as err:
                await _answer(respond, Reply.error(str(err)))
                return
            if isinstance(command, MetForm):
                await self._open_form(body, context, client, respond, channel)
                return
            if isinstance(command, FairForm):
                await self._open_fair_form(body, client, respond, channel)
                return
            if isinstance(command, EventForm):
                await self._open_event_form(args)
                return
            requester = await self.requester(
                context, client, wait=PROFILE_WAIT, channel=_shared_channel(body)
            )
            reply = await self.service.handle(requester, command)
            if reply.fair_form:
                await self._open_fair_form(body, client, respond, channel)
                return
            if reply.rules_form is not None and not reply.is_error:
                # An organizer's /club rules paste: the form (a slash command's text is no
                # place for a long file: Slack's composer reformats it as it is typed).
                form = RulesFormContext(
                    reply.rules_form, _shared_channel(body), _text(body, "response_url")
                )
                if await open_view(args, rules_modal(form)):
                    return
            reply = await share_privately(client, requester.address.user, reply)
            await _answer(respond, reply)
        except Exception as err:
            await _sorry(respond, name, err)

    # -- the Home tab ------------------------------------------------------------------------

    async def home_opened(self, args: AsyncArgs) -> None:
        """The student opened the app's Home tab: their follow-ups and settings, fresh."""
        event, context, client = args.event or {}, args.context, args.client
        if event.get("tab") != "home":
            return  # the Messages tab: the DMs are there already
        try:
            requester = await self.requester(context, client, wait=PROFILE_WAIT)
            await self.publish_home(client, requester)
        except Exception as err:
            log.error("Slack: the Home tab failed with %s", type(err).__name__)

    async def publish_home(
        self,
        client: AsyncWebClient,
        requester: Requester,
        *,
        page: int = 1,
        outcome: Reply | None = None,
    ) -> None:
        """Publish the student's Home tab: page `page` of their list and their settings, with
        `outcome` (what their click did) on top."""
        home = await self.service.handle(requester, Home(page))
        view = home_view(home, page=page, outcome=outcome)
        await _publish(client, requester.address.user, view)

    async def changed(self, accounts: Sequence[Address], command: Command) -> None:
        """A change the student made anywhere (a command, a button, a form, on Slack or on a
        platform linked with it): the Home tab of each of their Slack accounts shows it (the
        first page). Told by the core after the change is committed."""
        for address in accounts:
            if address.platform != PLATFORM or self.clients is None:
                continue
            async with self.clients(address.workspace) as client:
                if client is None:
                    continue
                if isinstance(command, ForgetMe):  # forgotten: nothing of theirs may stay
                    await _publish(client, address.user, forgotten_home())
                else:
                    await self.publish_home(client, Requester(address))

    async def _home_click(
        self,
        body: dict[str, Any],
        client: AsyncWebClient,
        requester: Requester,
        action: Action,
        command: Command,
        view: Mapping[str, Any],
    ) -> None:
        """A button on the Home tab: another page, or a change shown on the tab itself (there
        is no conversation to answer in)."""
        if action.kind is ActionKind.PAGE:
            await self.publish_home(client, requester, page=action.number)
            return
        reply = await self.service.handle(requester, command)
        if reply.form is not None and await self.corrections.open(body, client, reply.form):
            return
        await self.publish_home(client, requester, page=home_page(view), outcome=reply)

    # -- clubs -------------------------------------------------------------------------------

    async def _open_event_form(self, args: AsyncArgs) -> None:
        """/club event alone: the form (the core checks the organizer on submission)."""
        form = EventFormContext(_shared_channel(args.body), _text(args.body, "response_url"))
        if not await open_view(args, event_modal(self.service.rulebook, form)):
            await _answer(
                args.respond,
                Reply.error(
                    "I couldn't open the form.", f"You can type it instead: {EXAMPLE_EVENT}"
                ),
            )

    async def event_form(self, args: AsyncArgs) -> None:
        """The /club event form's submission: answered in its ack, errors on their fields."""
        view, context, client = args.view or {}, args.context, args.client
        form = EventFormContext.decode(str(view.get("private_metadata") or ""))

        async def submit() -> tuple[Reply, Requester]:
            requester = await self.requester(
                context, client, wait=FORM_PROFILE_WAIT, channel=form.channel
            )
            return await self.service.handle(requester, event_fields(view)), requester

        async def answer(reply: Reply, requester: Requester) -> None:
            await self._answer_form(
                FormContext(response_url=form.response_url), reply, client, requester
            )

        await answer_submission(args.ack, "event form", submit, answer, event_form_errors)

    async def rules_form(self, args: AsyncArgs) -> None:
        """The pasted rulebook's (or templates') submission: checked by the core as /club rules
        set; a refusal (the file, the key and what is wrong) shown on the form."""
        view, context, client = args.view or {}, args.context, args.client
        form = RulesFormContext.decode(str(view.get("private_metadata") or ""))

        async def submit() -> tuple[Reply, Requester]:
            channel = form.event_form.channel
            requester = await self.requester(
                context, client, wait=FORM_PROFILE_WAIT, channel=channel
            )
            return await self.service.handle(requester, pasted_rules(view, form.what)), requester

        async def answer(reply: Reply, requester: Requester) -> None:
            await self._answer_form(
                FormContext(response_url=form.event_form.response_url), reply, client, requester
            )

        await answer_submission(args.ack, "rules form", submit, answer, rules_form_errors)

    async def club_click(self, args: AsyncArgs) -> None:
        """An event card's button (Going, My priority list, Log who I met), clicked in the
        club's channel or in a DM after the event. Acked already: Going is answered privately
        and the card's count updated by the core; Log who I met opens /met's form with the
        event filled in; My priority list opens the fair-list form filled in with the fair's
        companies, or answers privately with the clicker's list when they have one."""
        body, context, client, respond = args.body, args.context, args.client, args.respond
        try:
            clicked = body.get("actions")
            element = clicked[0] if isinstance(clicked, list) and clicked else {}
            value = element.get("value") if isinstance(element, dict) else None
            command = club_command(value) if isinstance(value, str) else None
            where = body.get("channel")
            channel_id = where.get("id") if isinstance(where, Mapping) else None
            if command is None or not isinstance(channel_id, str):
                await _answer(respond, Reply.error("That button is out of date."))
                return
            # In a DM (a prompt after the event) there is no club's channel: the core finds
            # the event among those the clicker was going to.
            in_dm = channel_id.startswith("D")
            requester = await self.requester(
                context, client, wait=PROFILE_WAIT, channel=None if in_dm else Channel(channel_id)
            )
            reply = await self.service.handle(requester, command)
            if reply.met_form is not None and not reply.is_error:
                form = FormContext(
                    channel=channel_id,
                    response_url=_text(body, "response_url"),
                    event=command.event_id if isinstance(command, LogAtEvent) else None,
                )
                view = met_form_for(self.service.rulebook, reply.met_form, form)
                if await open_view(args, view):
                    return
            if reply.fair_prefill is not None and not reply.is_error:
                form = FormContext(channel=channel_id, response_url=_text(body, "response_url"))
                if await open_view(args, fair_modal(form, reply.fair_prefill)):
                    return
            await _answer(respond, reply)
        except Exception as err:
            await _sorry(respond, "an event button", err)

    # -- the /met form -----------------------------------------------------------------------

    async def _open_form(
        self,
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
        respond: AsyncRespond,
        channel: str | None,
    ) -> None:
        form = FormContext(channel=channel, response_url=_text(body, "response_url"))
        view = met_modal(self.service.rulebook, form)
        if await _open_modal(body, client, respond, view, EXAMPLE):
            # Look the student's zone up now, so the form's "when" is read in it on submission.
            await self.requester(context, client, wait=PROFILE_WAIT)

    async def _open_fair_form(
        self,
        body: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
        channel: str | None,
    ) -> None:
        form = FormContext(channel=channel, response_url=_text(body, "response_url"))
        await _open_modal(body, client, respond, fair_modal(form), FAIR_EXAMPLE)

    async def fair_form(self, args: AsyncArgs) -> None:
        """The fair form's submission: answered in its ack, errors on their fields."""
        ack, view, context, client = args.ack, args.view or {}, args.context, args.client
        form = FormContext.decode(str(view.get("private_metadata") or ""))

        async def submit() -> tuple[Reply, Requester]:
            requester = await self.requester(context, client, wait=FORM_PROFILE_WAIT)
            try:
                command = plan_from_form(*fair_fields(view))
            except FairError as err:
                return Reply(
                    Reply.error(str(err)).sections, is_error=True, field_errors=err.problems
                ), requester
            return await self.service.handle(requester, command), requester

        async def answer(reply: Reply, requester: Requester) -> None:
            await self._answer_form(form, reply, client, requester)

        await answer_submission(ack, "/fair form", submit, answer, fair_modal_errors)

    async def met_form(self, args: AsyncArgs) -> None:
        """The form's submission: answered in its ack, errors on their fields."""
        ack, view, context, client = args.ack, args.view or {}, args.context, args.client
        form = FormContext.decode(str(view.get("private_metadata") or ""))

        async def submit() -> tuple[Reply, Requester]:
            requester = await self.requester(context, client, wait=FORM_PROFILE_WAIT)
            command = Met(fields=met_fields(view), where=form.channel, at_event=form.event)
            return await self.service.handle(requester, command), requester

        async def answer(reply: Reply, requester: Requester) -> None:
            await self._answer_form(form, reply, client, requester)

        await answer_submission(ack, "/met form", submit, answer)

    async def correction_form(self, args: AsyncArgs) -> None:
        """The Edit form's submission: answered in its ack, as the /met form's."""
        view = args.view or {}
        await self.corrections.submitted(args.ack, view, args.context, args.client)

    async def _answer_form(
        self, form: FormContext, reply: Reply, client: AsyncWebClient, requester: Requester
    ) -> None:
        """The plan, ephemerally where /met was typed; in a DM if that answer can't be sent."""
        messages = pages(reply)
        if form.response_url:
            webhook = AsyncWebhookClient(form.response_url)
            sent = 0
            for message in messages:
                answer = await webhook.send(
                    text=message.text,
                    blocks=message.blocks,
                    response_type="ephemeral",
                    replace_original=False,
                )
                if answer.status_code != 200:
                    break
                sent += 1
            messages = messages[sent:]
        for message in messages:
            await client.chat_postMessage(
                channel=requester.address.user,
                text=message.text,
                blocks=message.blocks,
                parse="none",
                link_names=False,
                unfurl_links=False,
            )

    # -- buttons -----------------------------------------------------------------------------

    async def click(self, args: AsyncArgs) -> None:
        """A follow-up button, or a follow-up picked from a DM's menu: the action its value
        stands for, on its follow-up id. Acked already."""
        body, context, client, respond = args.body, args.context, args.client, args.respond
        try:
            clicked = body.get("actions")
            element = clicked[0] if isinstance(clicked, list) and clicked else {}
            action = decode_action(_value(element)) if isinstance(element, dict) else None
            if action is None:
                await _answer(
                    respond, Reply.error("That button is out of date. /followups lists yours.")
                )
                return
            try:
                command = command_for(action)
            except UserError as err:  # a well-formed value whose argument its command refuses
                await _answer(respond, Reply.error(str(err)))
                return
            requester = await self.requester(context, client, wait=PROFILE_WAIT)
            home = body.get("view")
            if isinstance(home, Mapping) and home.get("type") == "home":
                await self._home_click(body, client, requester, action, command, home)
                return
            reply = await self.service.handle(requester, command)
            if reply.form is not None and await self.corrections.open(body, client, reply.form):
                return  # Edit: the /met form, filled in with what was recorded
            await self._show_click_result(body, client, respond, action, reply)
        except Exception as err:
            await _sorry(respond, "a button", err)

    async def _show_click_result(
        self,
        body: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
        action: Action,
        reply: Reply,
    ) -> None:
        container = body.get("container")
        container = container if isinstance(container, Mapping) else {}
        message = body.get("message")
        channel, ts = container.get("channel_id"), container.get("message_ts")
        # A draft comes as a new message: the DM keeps its nudge and buttons to use afterwards.
        # So does a follow-up picked from the DM's menu, with its buttons: ephemeral, beside
        # the DM rather than in it, so the DM keeps its menu for the next pick, and a pick
        # again (or from an old DM) only shows it again.
        in_place = (
            not reply.is_error
            and action.kind not in (ActionKind.DRAFT, ActionKind.SHOW)
            and isinstance(message, Mapping)
            and not container.get("is_ephemeral")
            and isinstance(channel, str)
            and isinstance(ts, str)
        )
        if action.kind is ActionKind.PAGE and not reply.is_error:
            await _replace(respond, reply)  # another page of the list, in place
            return
        if not in_place or not isinstance(message, Mapping):
            # An error (a follow-up that isn't theirs reads as not found) changes nothing.
            await _answer(respond, reply)
            return
        blocks = replace_follow_up(message.get("blocks") or [], action.follow_up_id, reply)
        # Slack sent the message's text back as it was stored, escaped.
        text = str(message.get("text") or "")
        # Measured again: what no longer fits in the message comes after it, as new messages,
        # so the student sees the change that happened rather than an error.
        first, *rest = split_blocks(blocks)
        try:
            await client.chat_update(
                channel=str(channel),
                ts=str(ts),
                text=text,
                blocks=first,
                parse="none",
                link_names=False,
            )
            for more in rest:
                await client.chat_postMessage(
                    channel=str(channel), text=text, blocks=more, parse="none", link_names=False
                )
        except SlackApiError:
            await respond(text=text, blocks=first, replace_original=True)
            for more in rest:
                await respond(text=text, blocks=more, replace_original=False)


class RemovalEvents:
    """app_uninstalled and tokens_revoked: sends to the workspace stop at once, here and in
    every replica; with OAuth, bolt's own listeners delete its installs too."""

    def __init__(
        self, workspaces: Workspaces, installations: InstallationStore | None = None
    ) -> None:
        self.workspaces = workspaces
        self._revocation = (
            AsyncTokenRevocationListeners(installations) if installations is not None else None
        )

    async def uninstalled(self, args: AsyncArgs) -> None:
        context = args.context
        workspace = _workspace(context)
        if workspace is not None:
            await self.workspaces.remove(workspace, reason="the app was uninstalled")
        if self._revocation is not None:
            await self._revocation.handle_app_uninstalled_events(context)

    async def tokens_revoked(self, args: AsyncArgs) -> None:
        event, context = args.event or {}, args.context
        tokens = event.get("tokens")
        bots = tokens.get("bot") if isinstance(tokens, Mapping) else None
        workspace = _workspace(context)
        if bots and workspace is not None:
            await self.workspaces.remove(workspace, reason="the app's token was revoked")
        if self._revocation is not None:
            await self._revocation.handle_tokens_revoked_events(event, context)


def build_app(
    config: SlackConfig,
    handlers: SlackHandlers,
    removals: RemovalEvents,
    *,
    seen: SeenRequests,
    authorize: KnownInstalls,
    installations: InstallationStore | None = None,
    state_store: AsyncOAuthStateStore | None = None,
    signature_check: SignatureCheck | None = None,
) -> AsyncApp:
    """The AsyncApp with its listeners. HTTP mode needs `signature_check`; OAuth installs need
    `installations` and `state_store`. Requests are authorized by `authorize`, from what the
    bot knows (no Slack call before the ack)."""
    if not config.socket_mode and signature_check is None:
        raise ValueError("HTTP mode checks every request's signature")
    base_url = config.api_base_url or AsyncWebClient.BASE_URL
    client = AsyncWebClient(
        token=config.bot_token,
        base_url=base_url,
        timeout=config.api_timeout,
        # A listener never sleeps on a retry; what failed is reported.
        retry_handlers=[],
    )
    install_flow = None
    if config.oauth:
        if installations is None or state_store is None:
            raise ValueError("OAuth installs need an installation store and a state store")
        settings = AsyncOAuthSettings(
            client_id=config.client_id,
            client_secret=config.client_secret,
            scopes=list(BOT_SCOPES),
            user_scopes=[],
            redirect_uri=config.redirect_uri,
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            installation_store=installations,
            installation_store_bot_only=True,
            state_store=state_store,
            logger=oauth_log,
        )
        install_flow = InstallFlow(
            client=AsyncWebClient(base_url=base_url, timeout=config.api_timeout, logger=oauth_log),
            settings=settings,
        )
    bolt_log = logging.getLogger("adapters.slack.bolt")
    bolt_log.addFilter(_quiet_unused_token)
    app = AsyncApp(
        name="followup-bot",
        logger=bolt_log,
        client=client,
        signing_secret=config.signing_secret or "",
        # Replaced by `signature_check`, which keeps rejected bodies out of the logs.
        request_verification_enabled=False,
        before_authorize=signature_check,
        authorize=authorize,
        oauth_flow=install_flow,
        user_facing_authorize_error_message=NOT_INSTALLED,
    )
    app.use(answer_refusals())
    app.error(_log_error)
    app.command("/met")(_once(seen, handlers.command, ack_first=True))
    app.command("/followups")(_once(seen, handlers.command, ack_first=True))
    app.command("/fair")(_once(seen, handlers.command, ack_first=True))
    app.command("/club")(_once(seen, handlers.command, ack_first=True))
    # A form's ack carries its answer (its errors), so the form is checked and handled first.
    app.view(MET_FORM_CALLBACK)(_once(seen, handlers.met_form, ack_first=False))
    app.view(FAIR_FORM_CALLBACK)(_once(seen, handlers.fair_form, ack_first=False))
    app.view(EDIT_FORM_CALLBACK)(_once(seen, handlers.correction_form, ack_first=False))
    app.view(EVENT_FORM_CALLBACK)(_once(seen, handlers.event_form, ack_first=False))
    app.view(RULES_FORM_CALLBACK)(_once(seen, handlers.rules_form, ack_first=False))
    app.action(re.compile("^" + re.escape(CLUB_ACTION_PREFIX)))(
        _once(seen, handlers.club_click, ack_first=True)
    )
    app.action(re.compile("^" + re.escape(ACTION_ID_PREFIX)))(
        _once(seen, handlers.click, ack_first=True)
    )
    # bolt acks events itself, before their listeners run.
    app.event("app_home_opened")(_once(seen, handlers.home_opened, ack_first=True))
    app.event("app_uninstalled")(_once(seen, removals.uninstalled, ack_first=False))
    app.event("tokens_revoked")(_once(seen, removals.tokens_revoked, ack_first=False))
    return app


def _quiet_unused_token(record: logging.LogRecord) -> bool:
    return record.getMessage() not in UNUSED_TOKEN_WARNINGS


def _once(
    seen: SeenRequests, listener: Callable[[AsyncArgs], Awaitable[None]], *, ack_first: bool
) -> Callable[[AsyncArgs], Awaitable[None]]:
    """`listener`, run once per request however often Slack sends it; with `ack_first`, the
    request is acked before anything else (an empty 200: the answer goes to response_url)."""

    async def handle_once(args: AsyncArgs) -> None:
        if ack_first:
            await args.ack()
        request = args.request
        if await seen.first_time(request_key(request.raw_body, request.body)):
            await listener(args)
            return
        if not ack_first:
            await args.ack()  # a repeated form: closed, as the first one was answered
        retry = request.headers.get("x-slack-retry-num")
        log.info("Slack: a repeated request was answered, not handled again (retry %s)", retry)

    return handle_once


async def _log_error(error: Exception) -> None:
    # The exception's text may quote what a student typed: its type only.
    log.error("Slack: a listener failed with %s", type(error).__name__)


async def _answer(respond: AsyncRespond, reply: Reply) -> None:
    """Ephemeral, always: only the student sees it, whatever the channel; in as many messages
    as it takes."""
    for message in pages(reply):
        await respond(
            text=message.text,
            blocks=message.blocks,
            response_type="ephemeral",
            replace_original=False,
        )


async def _publish(client: AsyncWebClient, user: str, view: dict[str, Any]) -> None:
    """Publish `view` as `user`'s Home tab; a failure only leaves the tab as it was."""
    try:
        await client.views_publish(user_id=user, view=view)
    except SlackApiError as err:
        log.warning("Slack: the Home tab wasn't updated (%s)", err.response.get("error"))


async def _replace(respond: AsyncRespond, reply: Reply) -> None:
    """The clicked message replaced by `reply` (and what doesn't fit, after it)."""
    for index, message in enumerate(pages(reply)):
        await respond(
            text=message.text,
            blocks=message.blocks,
            response_type="ephemeral",
            replace_original=index == 0,
        )


async def _sorry(respond: AsyncRespond, what: str, err: Exception) -> None:
    log.error("Slack: %s failed with %s", what, type(err).__name__)
    try:
        await _answer(respond, Reply.error(SORRY))
    except Exception as again:
        log.error("Slack: couldn't say so either (%s)", type(again).__name__)


def _value(element: Mapping[str, Any]) -> str:
    """What a clicked element stands for: a button's value, or a select's chosen option's."""
    chosen = element.get("selected_option")
    if isinstance(chosen, Mapping):
        return str(chosen.get("value") or "")
    return str(element.get("value") or "")


def _text(body: Mapping[str, Any], key: str) -> str | None:
    value = body.get(key)
    return value if isinstance(value, str) and value else None


def _typed(body: Mapping[str, Any]) -> str:
    """A slash command's text as the student typed it (Slack escapes &, < and >)."""
    return unescape(_text(body, "text") or "")


def _shared_channel(body: Mapping[str, Any]) -> Channel | None:
    """The shared channel a slash command was typed in; None in a DM or a group DM. Slack's
    channel ids say which: a DM's start with D; a group DM's name with mpdm-."""
    channel, name = _text(body, "channel_id"), _text(body, "channel_name") or ""
    if channel is None or channel.startswith("D") or name == "directmessage":
        return None
    if name.startswith("mpdm-"):
        return None
    # A private channel may come named "privategroup": its name is then unknown.
    return Channel(channel, None if name == "privategroup" else name)


def _workspace(context: AsyncBoltContext) -> str | None:
    return workspace_of(
        enterprise_id=context.enterprise_id,
        team_id=context.team_id,
        is_enterprise_install=context.is_enterprise_install,
    )
