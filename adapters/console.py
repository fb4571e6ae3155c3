"""The console adapter: the whole product in a terminal, with a virtual clock.

Students type the same slash commands as in Slack or Discord; `:advance 25h` moves the virtual
clock and delivers every nudge that falls due on the way, printed as DMs in the recipient's local
time. Reading from a pipe, it prints no prompts, so sessions can be scripted.

Output contract (scripts rely on it): a DM is a header line ``[DM to USER at YYYY-MM-DD HH:MM
ZONE]``, its text, and its actions as ``[Label: command] ...``; a reply is plain text.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.bootstrap import Bot
from bot.clock import VirtualClock
from bot.commands import parse_command
from bot.domain import Address, Channel, Club, Person
from bot.errors import UserError
from bot.formatting import format_moment, format_stamp
from bot.ports import Delivered, Delivery, Posted
from bot.replies import DigestPost, EventCard, File, Reply
from bot.services import Requester
from bot.timeparse import DurationError, parse_duration

__all__ = ["Console", "ConsoleMessenger", "render"]

log = logging.getLogger(__name__)

PLATFORM = "console"
WORKSPACE = "console"
# Each :advance step delivers what is due; this bounds a runaway loop, not a real session.
MAX_DISPATCH_ROUNDS = 100_000
_USER_NAME = re.compile(r"[A-Za-z0-9_.-]{1,32}")
_CHANNEL_NAME = re.compile(r"#?([a-z0-9_-]{1,80})")

HELP = """\
Type the commands you would type in Slack or Discord:
  /met Jane Doe, Acme, interview, talked about Kafka      record a conversation
  /followups                                              what you owe, most urgent first
  /followups done 1 · snooze 1 2h · skip 1 · draft 1 · check TEXT · settings · help
  /followups edit 1 name:... · delete 1 · undo · export · calendar · forget-me   your data
  /followups link · link CODE · unlink · settings dm slack|discord   one list on both
  /fair plan "Spring Career Fair" Acme:1, Globex, Initech:2 when:friday   a fair's priority list
  /fair · show "NAME" · list · add Globex:1 · remove Hooli · move Initech 1 · help
  /club setup NAME tz:ZONE · /club organizers add @bob     in a club's channel (:in #name)
  /club event "Night" when:"thu 6pm-8pm" kind:networking · /club events · /club digest
  /club going 1 · log 1 · fair 1 (a fair's priority list) · /club delete (then confirm)
  /club rules · /club templates · :paste /club rules set (then the TOML, then :end) · reset
And the console's own:
  :advance 25h    move the virtual clock (30m, 2d, 1h30m) and deliver the nudges on the way
  :as alice       act as another student (each has their own follow-ups and settings)
  :in #club       type the next commands in a shared channel (for /club); :dm to leave it
  :paste COMMAND  the lines that follow, up to :end, are the command's text (a TOML file)
  :now            the virtual time
  :help           this text
  :quit           leave (so does end of input)"""


# Above and below a preformatted section (a draft), so it's clear where to start copying.
RULE = "─" * 40


def render(reply: Reply) -> str:
    """A reply as console text: sections, then actions as ``[Label: command]``, then the
    choices a platform shows as a select menu, one a line with the command that picks it.

    Preformatted text (a draft to copy) is printed exactly as it is, between two rules.
    """
    blocks = []
    for section in reply.shown_sections():
        text = f"{RULE}\n{section.text}\n{RULE}" if section.preformatted else section.text
        blocks.append(f"{section.title}\n{text}" if section.title else text)
    text = "\n\n".join(blocks)
    buttons = [(a.label, a.command) for a in reply.actions]
    buttons += [(a.label, a.command) for a in reply.event_actions]
    if buttons:
        text += "\n" + " ".join(f"[{label}: {command}]" for label, command in buttons)
    if reply.choices:
        # A menu can't be clicked here: each choice with the command that picks it, a line
        # each, so a long menu reads as a list rather than one wrapped line of brackets.
        text += "\nOr pick one:"
        for choice in reply.choices:
            detail = f" ({choice.detail})" if choice.detail else ""
            text += f"\n  {choice.label}{detail}: {choice.action.command}"
    return text


class ConsoleMessenger:
    """Prints DMs in the recipient's local time, and channel posts in the club's, at the
    virtual clock's time."""

    def __init__(self, clock: VirtualClock, out: TextIO, default_zone: ZoneInfo) -> None:
        self.clock = clock
        self.out = out
        self.default_zone = default_zone
        self.posts = 0

    async def send_dm(
        self, to: Person, message: Reply, *, key: str, maybe_sent: bool = False
    ) -> Delivery:
        stamp = format_stamp(self.clock.now(), to.zone(self.default_zone))
        print(f"[DM to {to.address.user} at {stamp}]", file=self.out)
        print(render(message), file=self.out)
        print(file=self.out, flush=True)
        return Delivered()

    async def post_to_channel(self, club: Club, card: EventCard) -> Posted:
        self._print_card(club, card, "POST")
        self.posts += 1
        return Posted(str(self.posts))

    async def update_post(self, club: Club, ref: str, card: EventCard) -> Delivery:
        self._print_card(club, card, "UPDATE")
        return Delivered()

    async def post_digest(self, club: Club, digest: DigestPost) -> Posted:
        stamp = format_stamp(self.clock.now(), club.zone)
        print(f"[POST to #{club.channel} at {stamp}]", file=self.out)
        print(digest.plain_text(), file=self.out)
        print(file=self.out, flush=True)
        self.posts += 1
        return Posted(str(self.posts))

    def _print_card(self, club: Club, card: EventCard, what: str) -> None:
        stamp = format_stamp(self.clock.now(), club.zone)
        print(f"[{what} to #{club.channel} at {stamp}]", file=self.out)
        print(card.plain_text(), file=self.out)
        if card.buttons:
            print(
                " ".join(f"[{label}: {command}]" for _, label, command in card.buttons),
                file=self.out,
            )
        print(file=self.out, flush=True)


class Console:
    """Reads lines, runs them, prints what happens."""

    def __init__(
        self,
        bot: Bot,
        clock: VirtualClock,
        *,
        out: TextIO,
        default_zone: ZoneInfo,
        user: str = "student",
        echo: bool = False,
        export_dir: Path | None = None,
    ) -> None:
        self.bot = bot
        self.clock = clock
        self.out = out
        self.default_zone = default_zone
        self.user = user
        # The shared channel the next commands come from (`:in #name`); None: a DM.
        self.channel: str | None = None
        # `:paste COMMAND`: the command, and the lines gathered for it until `:end`.
        self.pasting: tuple[str, list[str]] | None = None
        self.echo = echo
        self.export_dir = export_dir or Path.cwd()

    def say(self, text: str) -> None:
        print(text, file=self.out)
        print(file=self.out, flush=True)

    async def run(self, lines: AsyncIterator[str]) -> None:
        # Nudges that fell due while the console was closed (a file database) go out first.
        await self.bot.dispatcher.dispatch_due()
        async for line in lines:
            if not await self.handle(line):
                return

    async def handle(self, line: str) -> bool:
        """Run one line; False to stop."""
        if self.pasting is not None and line.strip().casefold() != ":end":
            # Pasted lines are kept as they are: a TOML file's comments and indents included.
            self.pasting[1].append(line.rstrip("\r\n"))
            return True
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        if self.echo:
            print(f"{self.user}> {line}", file=self.out)
        try:
            if line.startswith(":"):
                return await self._console_command(line)
            if line.startswith("/"):
                await self._slash_command(line)
            else:
                self.say(
                    "Commands start with / (like /met or /followups) or with : (like "
                    ":advance 1d). Type :help for the list."
                )
        except Exception as err:  # nothing a user types may end the session with a traceback
            log.debug("console command failed", exc_info=True)
            log.error("internal error (%s) while running a command", type(err).__name__)
            self.say("Something went wrong on my side; nothing was changed. Please try again.")
        return True

    async def _slash_command(self, line: str) -> None:
        try:
            # A /met typed in a club's channel is logged there, as on Slack and Discord.
            command = parse_command(line, where=self.channel)
        except UserError as err:
            self.say(str(err))
            return
        channel = Channel(self.channel, self.channel) if self.channel else None
        requester = Requester(Address(PLATFORM, WORKSPACE, self.user), channel=channel)
        reply = await self.bot.service.handle(requester, command)
        self.say(render(reply))
        if reply.files:
            self.say("\n".join(f"Wrote {path}" for path in self.write_files(reply.files)))

    def write_files(self, files: Sequence[File]) -> list[Path]:
        """Write a reply's files into `export_dir`, named for the acting student; an existing
        file is never overwritten (a number is added instead)."""
        self.export_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for file in files:
            stem, dot, suffix = file.name.rpartition(".")
            path = self.export_dir / f"{self.user}-{file.name}"
            copy = 2
            while path.exists():
                path = self.export_dir / f"{self.user}-{stem}-{copy}{dot}{suffix}"
                copy += 1
            path.write_bytes(file.content)
            written.append(path.resolve())
        return written

    async def _console_command(self, line: str) -> bool:
        name, _, argument = line[1:].partition(" ")
        name, argument = name.casefold(), argument.strip()
        if name in ("quit", "exit", "q"):
            return False
        if name == "help":
            self.say(HELP)
        elif name == "now":
            self.say(f"It is {format_moment(self.clock.now(), await self._zone())}.")
        elif name == "as":
            if not _USER_NAME.fullmatch(argument):
                self.say("Who? Like :as alice (letters, digits, . _ -, up to 32).")
            else:
                self.user = argument
                self.say(f"You are now {argument}.")
        elif name == "in":
            found = _CHANNEL_NAME.fullmatch(argument.casefold())
            if found is None:
                self.say("Which channel? Like :in #career-club (letters, digits, - and _).")
            else:
                self.channel = found.group(1)
                self.say(f"You are now in #{self.channel}.")
        elif name in ("dm", "out"):
            self.channel = None
            self.say("You are now in your DMs with the bot.")
        elif name == "advance":
            await self._advance(argument)
        elif name == "paste":
            if not argument.startswith("/"):
                self.say("Paste into which command? Like :paste /club rules set, then :end.")
            else:
                self.pasting = (argument, [])
                self.say(f"Pasting into {argument[:40]}: type or paste the lines, then :end.")
        elif name == "end":
            if self.pasting is None:
                self.say("Nothing is being pasted; :paste /club rules set starts it.")
            else:
                command, lines = self.pasting
                self.pasting = None
                await self._slash_command(command + "\n" + "\n".join(lines))
        else:
            self.say(f"“:{name[:20]}” isn't a console command. Type :help for the list.")
        return True

    async def _advance(self, argument: str) -> None:
        try:
            step = parse_duration(argument)
        except DurationError as err:
            self.say(str(err) if argument else "Advance by how much? Like :advance 25h.")
            return
        await self.advance(step)
        self.say(f"It is now {format_moment(self.clock.now(), await self._zone())}.")

    async def advance(self, step: timedelta) -> None:
        """Move the clock by `step`, stopping at each due nudge so it goes out on time."""
        target = self.clock.now() + step
        for _ in range(MAX_DISPATCH_ROUNDS):
            due = await self.bot.dispatcher.next_due_at()
            if due is None or due > target:
                break
            self.clock.move_to(due)
            report = await self.bot.dispatcher.dispatch_due()
            if report.claimed == 0 and due <= self.clock.now():
                break  # nothing claimable yet (a lease still running): move on
        self.clock.move_to(target)

    async def _zone(self) -> ZoneInfo:
        """The acting student's zone: their setting, else the console's."""
        return await self.bot.service.zone_for(Address(PLATFORM, WORKSPACE, self.user))

    def prompt(self) -> str:
        return f"{self.user} in #{self.channel}> " if self.channel else f"{self.user}> "


async def stdin_lines(
    stream: TextIO = sys.stdin, prompt: Callable[[], str] = lambda: "> "
) -> AsyncIterator[str]:
    """Lines from `stream`; at a terminal with a prompt, from a pipe without."""
    loop = asyncio.get_running_loop()
    interactive = stream.isatty()
    while True:
        if interactive:
            try:
                line = await loop.run_in_executor(None, input, prompt())
            except EOFError:
                return
        else:
            line = await loop.run_in_executor(None, stream.readline)
            if not line:
                return
        yield line
