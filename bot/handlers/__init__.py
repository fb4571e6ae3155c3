"""The command handlers: one plain async function a command, in one table.

Each handler gets its command and the `Context` of the unit of work `FollowUpService.handle`
opened for it; it answers with a `Reply`, or raises `UserError` (nothing is changed then). A new
command is a dataclass in `bot.commands`, a function in the module of its family, and a row here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.club_commands import (
    CancelEvent,
    ClubDigestSetting,
    ClubOrganizers,
    ClubOwnRules,
    ClubSetup,
    DeleteClub,
    EditEvent,
    EventForm,
    FairAtEvent,
    Going,
    ListEvents,
    LogAtEvent,
    PostEvent,
    ScheduledEventDropped,
    ScheduledEventEnded,
    ScheduledEventWatched,
    ShowClub,
)
from bot.commands import (
    AddToFair,
    Calendar,
    ChangeSetting,
    Check,
    Command,
    Delete,
    Draft,
    Edit,
    EditForm,
    EditGreeting,
    Export,
    FairForm,
    ForgetMe,
    Help,
    Home,
    Link,
    ListFairs,
    ListFollowUps,
    MarkDone,
    Met,
    MetForm,
    MoveOnFair,
    PlanFair,
    RemoveFromFair,
    ServerZone,
    ShowFair,
    ShowFollowUp,
    ShowSettings,
    Skip,
    Snooze,
    Undo,
    Unlink,
)
from bot.handlers import (
    accounts,
    clubs,
    fairs,
    follow_ups,
    help,
    met,
    settings,
    workspaces,
    writing,
    your_data,
)
from bot.handlers.context import Context, Dependencies
from bot.replies import Reply

__all__ = ["ABOUT_THE_WORKSPACE", "COMMAND_HANDLERS", "Context", "Dependencies", "Handler"]

# A handler takes its own command type; the table pairs each type with its handler.
Handler = Callable[[Any, Context], Awaitable[Reply]]

COMMAND_HANDLERS: dict[type[Command], Handler] = {
    Met: met.record_conversation,
    MetForm: help.met_form,
    Help: help.show_help,
    ListFollowUps: follow_ups.list_follow_ups,
    Home: follow_ups.home,
    MarkDone: follow_ups.mark_done,
    Snooze: follow_ups.snooze,
    Skip: follow_ups.skip,
    ShowFollowUp: follow_ups.show_follow_up,
    Draft: writing.draft,
    EditGreeting: writing.edit_greeting,
    Check: writing.check,
    ShowSettings: settings.show_settings,
    ChangeSetting: settings.change_setting,
    ServerZone: workspaces.server_zone,
    Edit: your_data.edit,
    EditForm: your_data.edit_form,
    Delete: your_data.delete,
    Undo: your_data.undo,
    Export: your_data.export,
    Calendar: your_data.calendar,
    Link: accounts.link,
    Unlink: accounts.unlink,
    ForgetMe: your_data.forget_me,
    PlanFair: fairs.plan_fair,
    FairForm: fairs.fair_form,
    ShowFair: fairs.show_fair,
    ListFairs: fairs.list_fairs,
    AddToFair: fairs.add_to_fair,
    RemoveFromFair: fairs.remove_from_fair,
    MoveOnFair: fairs.move_on_fair,
    ShowClub: clubs.show_club,
    ClubSetup: clubs.set_up_club,
    DeleteClub: clubs.delete_club,
    ClubOrganizers: clubs.change_organizers,
    PostEvent: clubs.post_event,
    EventForm: clubs.event_form,
    ListEvents: clubs.list_events,
    EditEvent: clubs.edit_event,
    CancelEvent: clubs.cancel_event,
    Going: clubs.going,
    LogAtEvent: clubs.log_at_event,
    FairAtEvent: clubs.fair_at_event,
    ScheduledEventEnded: clubs.scheduled_event_ended,
    ScheduledEventWatched: clubs.scheduled_event_watched,
    ScheduledEventDropped: clubs.scheduled_event_dropped,
    ClubDigestSetting: clubs.digest_setting,
    ClubOwnRules: clubs.club_own_rules,
}

# Commands about the asker's workspace rather than about them: they run with the asker as they
# are (or would be), recording nothing about them and with no notice meant for their own use.
# A Scheduled Event that ended on Discord comes from the server, not from someone asking.
ABOUT_THE_WORKSPACE: frozenset[type[Command]] = frozenset(
    {ServerZone, ScheduledEventEnded, ScheduledEventWatched, ScheduledEventDropped}
)
