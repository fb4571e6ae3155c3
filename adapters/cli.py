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
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from adapters.logs import configure_logging
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
            settings.log_level,
            settings.log_format,
            quiet=args.command == "console" or not wanted_platforms(os.environ),
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
    console.add_argument(
        "--export-dir", default=".", help="where /followups export writes its files (default: .)"
    )
    migrate = sub.add_parser("migrate", help="upgrade the database to the latest schema")
    migrate.add_argument("--db", help="database URL (default: DATABASE_URL or followup.db)")
    check = sub.add_parser("check-rules", help="validate a rulebook and its draft templates")
    check.add_argument("path", nargs="?", help="the file (default: FOLLOWUP_RULEBOOK or bundled)")
    check.add_argument("--drafts", help="draft templates (default: FOLLOWUP_DRAFTS or bundled)")
    return parser


def _configure_logging(level: str, log_format: str = "text", *, quiet: bool) -> None:
    # In the console, the conversation is the output: only warnings go to stderr.
    configure_logging("WARNING" if quiet else level, log_format)
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


# How long a platform may take to sign in and connect before the start is given up (exit 2,
# naming it). A refused token stops the start at once; this bounds a platform that neither
# answers nor refuses: Socket Mode and the Discord gateway connect in seconds when reachable.
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
    from adapters.ops import OpsSettings, start_ops  # aiohttp: installed with either platform

    ops_settings = OpsSettings.from_env(os.environ)
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
    try:  # /healthz answers while the platforms connect; /readyz says 503 until they are
        ops = await start_ops(bot, runtimes, ops_settings)
    except ConfigError:
        await bot.close()
        raise
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    serving = [asyncio.create_task(runtime.serve()) for runtime in runtimes.values()]
    stop = asyncio.create_task(stopping.wait())
    try:
        # Sweeping starts once the platforms are up, so a token a platform refuses stops the
        # start before any nudge is tried with it.
        if await _ready(list(runtimes.values()), serving, stop):
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
        if ops is not None:
            await ops.stop()
        await bot.close()
    return 0


async def _ready(
    runtimes: list[PlatformRuntime],
    serving: list[asyncio.Task[None]],
    stop: asyncio.Task[bool] | None = None,
) -> bool:
    """Wait until every runtime that says when it is ready (a `ready` event) is: True then,
    False as soon as `stop` finishes (SIGTERM while connecting ends the start at once, not after
    STARTUP_TIMEOUT).

    Raises ConfigError, which stops the start with one line: the error of a runtime that stopped
    first (a token its platform refused names the setting), or the platforms that neither
    connected nor failed within STARTUP_TIMEOUT."""
    names = {
        task: getattr(runtime, "platform", type(runtime).__name__)
        for runtime, task in zip(runtimes, serving, strict=True)
    }
    waiting: dict[asyncio.Task[bool], str] = {}
    for runtime, task in zip(runtimes, serving, strict=True):
        ready = getattr(runtime, "ready", None)
        if isinstance(ready, asyncio.Event):
            waiting[asyncio.create_task(ready.wait())] = names[task]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STARTUP_TIMEOUT
    try:
        pending = set(waiting)
        while pending:
            left = deadline - loop.time()
            if left <= 0:
                late = ", ".join(sorted(waiting[w] for w in pending))
                raise ConfigError(
                    f"{late}: not connected after {STARTUP_TIMEOUT:.0f} s (and no token refused): "
                    "check the network, and any proxy or *_API_BASE_URL setting."
                )
            stops = [stop] if stop is not None else []
            done, _ = await asyncio.wait(
                [*pending, *serving, *stops], timeout=left, return_when=asyncio.FIRST_COMPLETED
            )
            if stop is not None and stop.done():
                return False
            for task in serving:
                if task.done():
                    _stopped_before_ready(names[task], task)
            pending -= done
    finally:
        for wait in waiting:
            wait.cancel()
    return True


def _stopped_before_ready(platform: str, task: asyncio.Task[None]) -> None:
    """A platform that stopped while starting: its ConfigError as it is, anything else as one
    line naming the platform (the traceback at DEBUG)."""
    err = None if task.cancelled() else task.exception()
    if isinstance(err, ConfigError):
        raise err
    if err is not None:
        log.debug("%s stopped while starting", platform, exc_info=err)
    reason = f" ({type(err).__name__})" if err is not None else ""
    raise ConfigError(f"{platform} stopped before it was connected{reason}.")


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
    console = Console(
        bot,
        clock,
        out=sys.stdout,
        default_zone=zone,
        user=args.user,
        echo=args.echo,
        export_dir=Path(args.export_dir),
    )
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
