"""bot.commands: typed /met and /followups text into command dataclasses, or a friendly error."""

from __future__ import annotations

import dataclasses
import typing

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.commands import (
    Calendar,
    ChangeSetting,
    Command,
    CommandError,
    Delete,
    Draft,
    EditForm,
    Help,
    Link,
    ListFollowUps,
    MarkDone,
    Met,
    MetForm,
    ShowFollowUp,
    ShowSettings,
    Skip,
    Snooze,
    Unlink,
    command_for,
    parse_command,
    parse_followups,
)
from bot.errors import UserError
from bot.handlers import COMMAND_HANDLERS
from bot.replies import Action, ActionKind


def command_error(text: str) -> str:
    with pytest.raises(CommandError) as caught:
        parse_command(text)
    message = str(caught.value)
    assert message
    return message


# --------------------------------------------------------------------------------------------
# /met


@pytest.mark.parametrize("text", ["/met help", "/met HELP", "/met  --help ", "/met ?", "/MET -h"])
def test_met_help(text: str) -> None:
    assert parse_command(text) == Help("met")


@pytest.mark.parametrize("text", ["/met", "/met ", "  /met   "])
def test_met_without_text_opens_a_form(text: str) -> None:
    assert parse_command(text) == MetForm()


def test_met_with_text() -> None:
    assert parse_command("/met Jane, Acme, interview") == Met(text="Jane, Acme, interview")


def test_met_carries_where() -> None:
    command = parse_command("/met  Jane, Acme, interview  ", where="C123")
    assert command == Met(text="Jane, Acme, interview", where="C123")


def test_met_text_is_not_split_here() -> None:
    text = 'Jane, Acme, interview when:"yesterday 4pm" help'
    command = parse_command(f"/met {text}")
    assert isinstance(command, Met)
    assert command.text == text
    assert command.fields is None


# --------------------------------------------------------------------------------------------
# /followups


@pytest.mark.parametrize(
    "text", ["/followups", "/followups list", "/followups LIST", "/followups ls", "/fu"]
)
def test_list(text: str) -> None:
    assert parse_command(text) == ListFollowUps()


def test_parse_followups_directly() -> None:
    assert parse_followups("") == ListFollowUps()
    assert parse_followups("  done   3  ") == MarkDone(3)


@pytest.mark.parametrize("text", ["/followups help", "/followups ?", "/followup --help"])
def test_followups_help(text: str) -> None:
    assert parse_command(text) == Help("followups")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/followups done 3", MarkDone(3)),
        ("/followups done #3", MarkDone(3)),
        ("/followups DONE 12", MarkDone(12)),
        ("/followups done 3 email", MarkDone(3, "email")),
        ("/followups done 3 e-mail", MarkDone(3, "email")),
        ("/followups done 3 mail", MarkDone(3, "email")),
        ("/followups done 3 LinkedIn", MarkDone(3, "linkedin")),
        ("/followups done #7 EMAIL", MarkDone(7, "email")),
    ],
)
def test_done(text: str, expected: MarkDone) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "example"),
    [
        ("/followups done", "/followups done 3"),
        ("/followups done x", "/followups done 3"),
        ("/followups done 0", "/followups done 3"),
        ("/followups done #0", "/followups done 3"),
        ("/followups done -1", "/followups done 3"),
        ("/followups done 3 fax", "/followups done 3 email"),
        ("/followups done 3 email extra", "/followups done 3 email"),
    ],
)
def test_done_errors_show_an_example(text: str, example: str) -> None:
    assert example in command_error(text)


def test_done_error_quotes_what_was_typed() -> None:
    assert "“fax”" in command_error("/followups done 3 fax")
    assert "“x”" in command_error("/followups done x")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/followups snooze 3 2h", Snooze(3, "2h")),
        ("/followups snooze 3 2 hours", Snooze(3, "2 hours")),
        ("/followups snooze #4 tomorrow", Snooze(4, "tomorrow")),
        ("/followups snooze 3   2   hours ", Snooze(3, "2 hours")),
    ],
)
def test_snooze(text: str, expected: Snooze) -> None:
    assert parse_command(text) == expected


def test_snooze_without_a_duration() -> None:
    message = command_error("/followups snooze 3")
    assert "how long" in message
    assert "/followups snooze 3 2h" in message


def test_snooze_without_a_number() -> None:
    assert "/followups snooze 3 2h" in command_error("/followups snooze")
    assert "/followups snooze 3 2h" in command_error("/followups snooze 2h")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/followups skip 3", Skip(3, False)),
        ("/followups skip #3", Skip(3, False)),
        ("/followups skip 3 confirm", Skip(3, True)),
        ("/followups skip 3 CONFIRM", Skip(3, True)),
        ("/followups skip 3 yes", Skip(3, True)),
    ],
)
def test_skip(text: str, expected: Skip) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "/followups skip 3 maybe",
        "/followups skip 3 confirm now",
        "/followups skip",
        "/followups skip x",
    ],
)
def test_skip_errors(text: str) -> None:
    assert "/followups skip 3" in command_error(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/followups settings", ShowSettings()),
        ("/followups settings tz Europe/Berlin", ChangeSetting("tz", "Europe/Berlin")),
        ("/followups settings TZ Europe/Berlin", ChangeSetting("tz", "Europe/Berlin")),
        ("/followups settings name Alex Kim", ChangeSetting("name", "Alex Kim")),
        ("/followups settings name  Alex   Kim ", ChangeSetting("name", "Alex Kim")),
        ("/followups settings quiet 22:00-08:00", ChangeSetting("quiet", "22:00-08:00")),
        ("/followups settings tz", ChangeSetting("tz", "")),
    ],
)
def test_settings(text: str, expected: ShowSettings | ChangeSetting) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("/followups sttings", "settings"),
        ("/followups snoze 3 2h", "snooze"),
        ("/followups lst", "list"),
        ("/followups dne 3", "done"),
    ],
)
def test_misspelt_subcommand_suggests_the_right_one(text: str, suggestion: str) -> None:
    message = command_error(text)
    assert f"Did you mean /followups {suggestion}?" in message
    assert "Try list, done, snooze, skip, draft, check, settings, edit, delete, undo" in message


def test_unknown_subcommand_without_a_close_match() -> None:
    message = command_error("/followups xyzzy")
    assert "“xyzzy”" in message
    assert "Did you mean" not in message
    assert "Try list, done" in message


@pytest.mark.parametrize("text", ["/foo", "/foo bar", "", "met Jane, Acme, interview", "/metx"])
def test_unknown_command(text: str) -> None:
    message = command_error(text)
    assert "/met" in message
    assert "/followups" in message


def test_unknown_command_quotes_it() -> None:
    assert "“/foo”" in command_error("/foo bar baz")


@pytest.mark.parametrize(
    "text",
    [
        "/" + "x" * 5000,
        "/followups " + "y" * 5000,
        "/followups done " + "9" * 5000,
        "/followups done 3 " + "z" * 5000,
        "/met\u200b" + "v" * 5000,
    ],
)
def test_long_garbage_is_clipped(text: str) -> None:
    message = command_error(text)
    assert len(message) < 200
    assert "…" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "text",
    [
        "/followups skip 3 " + "w" * 5000,
        "/followups " + "a\n" * 2000,
        "/followups done 3 a b c" * 500,
    ],
)
def test_long_garbage_gives_a_short_message(text: str) -> None:
    message = command_error(text)
    assert len(message) < 200
    assert "\n" not in message


def test_command_error_is_a_user_error() -> None:
    assert issubclass(CommandError, UserError)


# --------------------------------------------------------------------------------------------
# Properties

WORDS = [
    "list",
    "done",
    "snooze",
    "skip",
    "settings",
    "help",
    "confirm",
    "email",
    "linkedin",
    "#",
    "3",
    "0",
    "2h",
    "tz",
    "Europe/Berlin",
    " ",
    "\n",
    "\u200b",
    "\x00",
    "٣",
    "３",
    "🦀",
    "<!channel>",
    "@everyone",
]

command_text = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=3)), max_size=10).map(" ".join),
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["/followups ", "/met "]), command_text, st.none() | st.text(max_size=5))
def test_parse_command_only_raises_user_errors(prefix: str, text: str, where: str | None) -> None:
    # Anything but a UserError escapes and fails the test.
    try:
        command = parse_command(prefix + text, where=where)
    except UserError as err:
        error: UserError = err
    else:
        check_command(command, where)
        return
    assert isinstance(error, CommandError)
    assert str(error)
    assert len(str(error)) < 300


def check_command(command: Command, where: str | None) -> None:
    if isinstance(command, MarkDone | Snooze | Skip):
        assert command.number >= 1
    if isinstance(command, Met):
        assert command.text
        assert command.where == where


# --------------------------------------------------------------------------------------------
# buttons: an Action stands for a command


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (Action(ActionKind.DONE, "Done", 3, 41), MarkDone(3, None, follow_up_id=41)),
        (Action(ActionKind.DONE, "Email", 3, 41, "email"), MarkDone(3, "email", follow_up_id=41)),
        (Action(ActionKind.SNOOZE, "Snooze 2h", 3, 41, "2h"), Snooze(3, "2h", follow_up_id=41)),
        (
            Action(ActionKind.SNOOZE, "Tomorrow", 3, 41, "tomorrow"),
            Snooze(3, "tomorrow", follow_up_id=41),
        ),
        (Action(ActionKind.DONE, "Mail", 3, 41, "E-mail"), MarkDone(3, "email", follow_up_id=41)),
        (Action(ActionKind.SKIP, "Yes", 3, 41, "yes"), Skip(3, confirmed=True, follow_up_id=41)),
        (Action(ActionKind.SKIP, "Skip", 3, 41), Skip(3, confirmed=False, follow_up_id=41)),
        (
            Action(ActionKind.SKIP, "Skip anyway", 3, 41, "confirm"),
            Skip(3, confirmed=True, follow_up_id=41),
        ),
        (Action(ActionKind.DRAFT, "Draft", 3, 41), Draft(3, follow_up_id=41)),
        (Action(ActionKind.SHOW, "#3 Jane Doe, Acme", 3, 41), ShowFollowUp(3, follow_up_id=41)),
    ],
)
def test_a_button_stands_for_the_command_on_its_follow_up(
    action: Action, expected: Command
) -> None:
    assert command_for(action) == expected


@pytest.mark.parametrize("kind", list(ActionKind))
def test_a_button_does_what_its_typed_command_does(kind: ActionKind) -> None:
    """The command an action shows to type and the one its button runs agree (bar the id)."""
    confirms = kind in (ActionKind.SKIP, ActionKind.DELETE)
    action = Action(kind, "label", 7, 99, "confirm" if confirms else "")
    if kind is ActionKind.SNOOZE:
        action = action._replace(argument="2h")
    clicked = command_for(action)
    if kind is ActionKind.PAGE:  # another page of the list: its number is the page
        assert clicked == parse_command(action.command) == ListFollowUps(page=7)
        return
    assert isinstance(clicked, MarkDone | Snooze | Skip | Draft | Delete | EditForm | ShowFollowUp)
    assert dataclasses.replace(clicked, follow_up_id=None) == parse_command(action.command)


@pytest.mark.parametrize(
    ("action", "error"),
    [
        (Action(ActionKind.DONE, "Done", 3, 41, "fax"), "“fax” isn't a way to follow up"),
        (Action(ActionKind.SNOOZE, "Later", 3, 41), "Snooze for how long?"),
        (Action(ActionKind.SKIP, "Skip", 3, 41, "maybe"), "Usage: /followups skip 3"),
        (Action(ActionKind.DRAFT, "Draft", 3, 41, "now"), "Usage: /followups draft N"),
        (Action(ActionKind.DONE, "Done", 0, 41), "“0” isn't a follow-up number"),
        (Action(ActionKind.DELETE, "Delete", 3, 41), "Usage: /followups delete 3"),
        (Action(ActionKind.DELETE, "Delete", 3, 41, "now"), "Usage: /followups delete 3"),
    ],
)
def test_a_button_with_an_argument_its_command_refuses_says_why(action: Action, error: str) -> None:
    """A button's value comes back from the platform: one this bot never wrote (or an old one)
    is held to the typed command's rules and answered as they would be."""
    with pytest.raises(CommandError, match=error):
        command_for(action)


def test_every_command_has_a_handler() -> None:
    assert set(COMMAND_HANDLERS) == set(typing.get_args(Command))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/followups calendar", Calendar()),
        ("/followups  Calendar ", Calendar()),
        ("/followups cal", Calendar()),
        ("/followups calendar reset", Calendar(reset=True)),
        ("/followups calendar RESET", Calendar(reset=True)),
        ("/followups calendar new", Calendar(reset=True)),
    ],
)
def test_calendar(text: str, expected: Calendar) -> None:
    assert parse_command(text) == expected


def test_a_close_miss_of_calendar_is_suggested() -> None:
    with pytest.raises(CommandError, match="Did you mean /followups calendar"):
        parse_command("/followups calender")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/followups link", Link()),
        ("/followups link ABCD-EF23", Link("ABCD-EF23")),
        ("/followups LINK  abcd ef23 ", Link("abcd ef23")),
        ("/followups unlink", Unlink()),
    ],
)
def test_link_and_unlink(text: str, expected: Link | Unlink) -> None:
    assert parse_command(text) == expected


def test_unlink_takes_nothing_more() -> None:
    with pytest.raises(CommandError, match=r"^Usage: /followups unlink"):
        parse_command("/followups unlink discord")
