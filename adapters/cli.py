"""`followup-bot`: the entry point that starts the adapters, the console, or the migrations."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.clock import UTC, SystemClock, VirtualClock
from bot.config import ConfigError, Settings
from bot.errors import UserError
from bot.services import zone_or_error
from rules.engine import RulebookError, load_rulebook

__all__ = ["main"]

log = logging.getLogger("bot")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        if getattr(args, "db", None):
            settings = _replace(settings, database_url=args.db)
        _configure_logging(settings.log_level, quiet=args.command in (None, "run", "console"))
        match args.command:
            case "migrate":
                return asyncio.run(_migrate(settings))
            case "check-rules":
                rulebook = load_rulebook(args.path or settings.rulebook_path)
                print(f"{rulebook.source}: {len(rulebook.kinds)} kinds of conversation, all valid.")
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
    check = sub.add_parser("check-rules", help="validate a rulebook file")
    check.add_argument("path", nargs="?", help="the file (default: FOLLOWUP_RULEBOOK or bundled)")
    return parser


def _replace(settings: Settings, **changes: str) -> Settings:
    from dataclasses import replace

    return replace(settings, **changes)


def _configure_logging(level: str, *, quiet: bool) -> None:
    # In the console, the conversation is the output: only warnings go to stderr.
    logging.basicConfig(
        level=logging.WARNING if quiet else getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


async def _migrate(settings: Settings) -> int:
    from bot.storage.migrate import upgrade_to_head
    from bot.storage.sql import create_engine

    engine = create_engine(settings.database_url)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()
    print("The database is up to date.")
    return 0


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    platforms = [
        name
        for name, wanted in (("Slack", settings.wants_slack), ("Discord", settings.wants_discord))
        if wanted
    ]
    if platforms:
        print(
            f"followup-bot: {' and '.join(platforms)} settings are present, but this version "
            "runs only the console. Unset them to use the console.",
            file=sys.stderr,
        )
        return 2
    console_args = argparse.Namespace(start=None, tz=None, user="student", echo=False)
    return await _console(settings, console_args)


async def _console(settings: Settings, args: argparse.Namespace) -> int:
    from adapters.console import Console, ConsoleMessenger, stdin_lines
    from bot.bootstrap import build_bot

    try:
        zone = zone_or_error(args.tz) if args.tz else settings.default_zone()
    except UserError as err:
        print(f"followup-bot: --tz: {err}", file=sys.stderr)
        return 2
    settings = _replace(settings, default_timezone=zone.key)
    try:
        start = _start_time(args.start, zone)
    except ValueError as err:
        print(f"followup-bot: --start: {err}", file=sys.stderr)
        return 2
    clock = VirtualClock(start)
    messenger = ConsoleMessenger(clock, sys.stdout, zone)
    bot = await build_bot(settings, clock=clock, messenger=messenger)
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
    return local.astimezone(UTC)


if __name__ == "__main__":
    raise SystemExit(main())
