"""`followup-bot`: the entry point that starts the adapters, the console, or the migrations."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib
import logging
import os
import signal
import socket
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.bootstrap import STORAGE_OUTAGES, Bot, build_bot, migrate_database
from bot.clock import SystemClock, VirtualClock
from bot.config import ConfigError, Settings
from bot.errors import UserError
from bot.pacing import PaceRule
from bot.ports import Messenger
from bot.zones import zone_or_error
from rules.drafts import load_drafts
from rules.engine import RulebookError, load_rulebook

__all__ = ["main"]

log = logging.getLogger("bot")

# A database that can't be reached or used at start: a setting to fix, not a traceback.
DATABASE_ERRORS: tuple[type[BaseException], ...] = (*STORAGE_OUTAGES, OSError)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        if getattr(args, "db", None):
            settings = dataclasses.replace(settings, database_url=args.db)
        # The console is a conversation on stdout: there, only warnings reach stderr.
        _configure_logging(
            settings.log_level, quiet=args.command == "console" or not wanted_platforms(os.environ)
        )
        match args.command:
            case "migrate":
                return asyncio.run(_migrate(settings))
            case "check-rules":
                rulebook = load_rulebook(args.path or settings.rulebook_path)
                print(f"{rulebook.source}: {len(rulebook.kinds)} kinds of conversation, all valid.")
                # The drafts must fit the rulebook: every kind needs its templates.
                drafts_path = args.drafts or settings.drafts_path
                load_drafts(drafts_path, rulebook=rulebook)
                print(f"{drafts_path or 'rules/drafts.toml'}: draft templates valid for it.")
                return 0
            case "console":
                return asyncio.run(_console(settings, args))
            case _:
                return asyncio.run(_run(settings, args))
    except (ConfigError, RulebookError) as err:
        print(f"followup-bot: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="followup-bot",
        description="Follow up after career conversations: Slack, Discord, or a console.",
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="start the bot on the platforms configured (the console if none)")
    console = sub.add_parser("console", help="the bot in this terminal, with a virtual clock")
    console.add_argument("--start", help="virtual start time, local to --tz (default: now)")
    console.add_argument("--tz", help="the console's time zone, and every console user's default")
    console.add_argument("--db", help="database URL (default: DATABASE_URL or followup.db)")
    console.add_argument("--user", default="student", help="the student you act as at first")
    console.add_argument("--echo", action="store_true", help="print each command before its reply")
    migrate = sub.add_parser("migrate", help="upgrade the database to the latest schema")
    migrate.add_argument("--db", help="database URL (default: DATABASE_URL or followup.db)")
    check = sub.add_parser("check-rules", help="validate a rulebook and its draft templates")
    check.add_argument("path", nargs="?", help="the file (default: FOLLOWUP_RULEBOOK or bundled)")
    check.add_argument("--drafts", help="draft templates (default: FOLLOWUP_DRAFTS or bundled)")
    return parser


def _configure_logging(level: str, *, quiet: bool) -> None:
    # In the console, the conversation is the output: only warnings go to stderr.
    logging.basicConfig(
        level=logging.WARNING if quiet else getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # APScheduler reports every sweep at INFO; the sweep logs what it did when it did something.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


async def _migrate(settings: Settings) -> int:
    try:
        await migrate_database(settings)
    except DATABASE_ERRORS as err:
        raise _database_error(err) from None
    print("The database is up to date.")
    return 0


class PlatformRuntime(Protocol):
    """What a platform adapter offers `followup-bot run` (adapters/<platform>/runtime.py): the
    messenger and pace rules the dispatcher needs, then `attach(bot)` and `serve()`."""

    messenger: Messenger
    pace_rules: Sequence[PaceRule]

    def attach(self, bot: Bot) -> None: ...
    async def serve(self) -> None: ...


# How long a platform may take to sign in and listen before the start is given up.
STARTUP_TIMEOUT = 60.0


@dataclass(frozen=True)
class Runtime:
    """Where a platform's runtime lives, and the settings that switch it on."""

    module: str
    name: str
    switched_on_by: tuple[str, ...]


RUNTIMES = {
    "slack": Runtime(
        "adapters.slack.runtime",
        "SlackRuntime",
        ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID"),
    ),
    "discord": Runtime("adapters.discord.runtime", "DiscordRuntime", ("DISCORD_TOKEN",)),
}


def wanted_platforms(env: Mapping[str, str]) -> list[str]:
    """The platforms `followup-bot run` serves: those with any of their settings present."""
    return [
        platform
        for platform, runtime in RUNTIMES.items()
        if any(env.get(name, "").strip() for name in runtime.switched_on_by)
    ]


def _load_runtime(platform: str) -> PlatformRuntime:
    module_name, class_name = RUNTIMES[platform].module, RUNTIMES[platform].name
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise ConfigError(
            f"{platform.capitalize()} settings are set, but its adapter can't be loaded "
            f"({err.name} is missing): install it with pip install -e '.[{platform}]'"
        ) from None
    runtime: PlatformRuntime = getattr(module, class_name).from_env(os.environ)
    return runtime


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    """Serve the configured platforms with the scheduler; the console if none is configured."""
    wanted = wanted_platforms(os.environ)
    if not wanted:
        console_args = argparse.Namespace(start=None, tz=None, user="student", echo=False)
        return await _console(settings, console_args)
    runtimes = {platform: _load_runtime(platform) for platform in wanted}
    bot = await _open_bot(
        settings,
        clock=SystemClock(),
        messengers={p: r.messenger for p, r in runtimes.items()},
        pace_rules={p: r.pace_rules for p, r in runtimes.items()},
        owner=f"{socket.gethostname()}-{os.getpid()}",
    )
    scheduler = bot.scheduler
    assert scheduler is not None  # build_bot schedules unless told not to
    for runtime in runtimes.values():
        runtime.attach(bot)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    serving = [asyncio.create_task(runtime.serve()) for runtime in runtimes.values()]
    stop = asyncio.create_task(stopping.wait())
    try:
        # Sweeping starts once the platforms are up, so a token a platform refuses stops the
        # start before any nudge is tried with it.
        await _ready(list(runtimes.values()), serving)
        await scheduler.start()
        log.info("followup-bot running: %s", ", ".join(wanted))
        done, _ = await asyncio.wait([*serving, stop], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not stop:
                task.result()  # a platform that stopped by itself: its error ends the run
    finally:
        log.info("followup-bot stopping")
        # The sweep in progress finishes while the platforms' messengers still work.
        await scheduler.stop()
        for task in [*serving, stop]:
            task.cancel()
        await asyncio.gather(*serving, stop, return_exceptions=True)
        await bot.close()
    return 0


async def _ready(runtimes: list[PlatformRuntime], serving: list[asyncio.Task[None]]) -> None:
    """Wait until every runtime that says when it is ready is, or until one fails to start."""
    for runtime, task in zip(runtimes, serving, strict=True):
        ready = getattr(runtime, "ready", None)
        if not isinstance(ready, asyncio.Event):
            continue
        waiting = asyncio.create_task(ready.wait())
        done, _ = await asyncio.wait(
            [waiting, task], timeout=STARTUP_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
        )
        waiting.cancel()
        if task in done:
            task.result()  # it stopped before it was ready: raise why


async def _open_bot(settings: Settings, **wiring: Any) -> Bot:
    """build_bot, with a database that can't be used reported as a setting to fix."""
    try:
        return await build_bot(settings, **wiring)
    except DATABASE_ERRORS as err:
        raise _database_error(err) from None


def _database_error(err: BaseException) -> ConfigError:
    log.debug("database error", exc_info=err)
    # The URL may carry a password: name the error, not the URL or its text.
    return ConfigError(
        f"can't use the database ({type(err).__name__}); check DATABASE_URL or --db, "
        "and that the database is running."
    )


async def _console(settings: Settings, args: argparse.Namespace) -> int:
    from adapters.console import PLATFORM, Console, ConsoleMessenger, stdin_lines

    try:
        zone = zone_or_error(args.tz) if args.tz else settings.default_zone()
    except UserError as err:
        print(f"followup-bot: --tz: {err}", file=sys.stderr)
        return 2
    settings = dataclasses.replace(settings, default_timezone=zone.key)
    try:
        start = _start_time(args.start, zone)
    except ValueError as err:
        print(f"followup-bot: --start: {err}", file=sys.stderr)
        return 2
    clock = VirtualClock(start)
    messenger = ConsoleMessenger(clock, sys.stdout, zone)
    # The console sends only console DMs: other platforms' nudges in a shared database are not
    # its to print (or to mark sent).
    bot = await _open_bot(settings, clock=clock, messengers={PLATFORM: messenger}, scheduled=False)
    console = Console(bot, clock, out=sys.stdout, default_zone=zone, user=args.user, echo=args.echo)
    try:
        if sys.stdin.isatty():
            print("followup-bot console. Type :help for help, :quit to leave.\n")
        await console.run(stdin_lines(sys.stdin, console.prompt))
    finally:
        await bot.close()
    return 0


def _start_time(text: str | None, zone: ZoneInfo) -> datetime:
    if not text:
        return SystemClock().now().replace(second=0, microsecond=0)
    try:
        local = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text}” isn't a time like 2026-03-06T15:00") from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=zone)
    try:
        return local.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"“{text}” is too far from today") from None


if __name__ == "__main__":
    raise SystemExit(main())
