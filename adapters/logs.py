"""Where `followup-bot`'s log goes and what it may say: text or one JSON object a line
(`LOG_FORMAT`), through a redaction filter that keeps secrets and what students typed out of the
log at every level, the platform libraries' DEBUG logs included.

The filter works in three layers, so a library nobody has read yet is still covered:

- Every record: the configured secrets (tokens, signing and client secrets, the database
  password) and anything shaped like a credential (Slack and Discord tokens, `Bearer ...`, a
  `"token": "..."` pair, an interaction's or webhook's token in a URL path, an OAuth `code` or
  `state` in a query string, a calendar link's secret) become `[redacted]`.
- Records written by code outside this project (discord.py, slack_bolt, slack_sdk, aiohttp,
  SQLAlchemy, aiosqlite, ... whichever logger they use): payloads are elided. A dict or list, a
  quoted string and a form body become `…`; a payload keeps only the few keys an operator needs
  (the gateway event `t`, `op`, `type`, `error`), so `WebSocket Event: {'op': 0, 't':
  'INTERACTION_CREATE', 'd': {...}}` logs as `WebSocket Event: {op=0, t=INTERACTION_CREATE, …}`.
- Exceptions keep their frames and their type; their text, which may quote what a student
  typed or a SQL statement's parameters, is withheld from the traceback and from any message
  quoting it, except for network and platform errors (OSError, slack_sdk's and discord.py's
  HTTP errors), whose text is the answer an operator needs.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import sys
import traceback
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, quote_plus, urlsplit

__all__ = [
    "TEXT_FORMAT",
    "JsonFormatter",
    "Redactor",
    "configure_logging",
    "secrets_in",
]

# The text format as it always was.
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[redacted]"
ELIDED = "…"
WITHHELD = "(message not logged)"

# The context a record may carry (`log.info(..., extra={"command": "met"})`) and JSON shows.
CONTEXT_FIELDS = ("platform", "command", "nudge_id")

# The settings that hold secrets, and any other variable whose name says it holds one.
SECRET_VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_CLIENT_SECRET",
    "DISCORD_TOKEN",
)
_SECRET_NAME = re.compile(r"(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|PRIVATE_KEY)$")
# Shorter values are not scrubbed by value: "abc" would blank out every word containing it (the
# shapes below still catch real tokens, which are all far longer).
MIN_SECRET_LENGTH = 6


def configure_logging(
    level: str,
    log_format: str = "text",
    *,
    stream: IO[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> logging.Handler:
    """Send the log at `level` and above to `stream` (stderr when None) as `log_format` ("text"
    or "json"), every record through a `Redactor` knowing the secrets in `env` (the process
    environment when None). A handler set up before by this function is replaced. Returns the
    handler."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _BotHandler)]:
        root.removeHandler(old)
    handler = _BotHandler(stream)
    handler.setFormatter(
        JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    handler.addFilter(Redactor(secrets_in(os.environ if env is None else env)))
    root.addHandler(handler)
    root.setLevel(level)
    return handler


class _BotHandler(logging.StreamHandler[IO[str]]):
    """A stream handler that, without a stream of its own, writes to whatever `sys.stderr` is
    when the record comes (as logging's last-resort handler does)."""

    def __init__(self, stream: IO[str] | None) -> None:
        super().__init__(stream or sys.stderr)
        self._own_stream = stream

    def flush(self) -> None:
        self.stream = self._own_stream or sys.stderr
        super().flush()

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = self._own_stream or sys.stderr
        super().emit(record)


def secrets_in(env: Mapping[str, str]) -> list[str]:
    """The secret values set in `env`: the platforms' tokens and secrets, any variable named
    like a secret, and the password in any URL (DATABASE_URL)."""
    found = []
    for name, value in env.items():
        value = value.strip()
        if name in SECRET_VARIABLES or _SECRET_NAME.search(name):
            found.append(value)
        elif "://" in value and "@" in value:
            try:
                password = urlsplit(value).password
            except ValueError:
                continue
            if password:
                found.append(password)
    return found


class Redactor(logging.Filter):
    """Rewrites each record before any formatter sees it: its message rendered and scrubbed
    (secrets out, library payloads elided), its traceback without exception messages. It never
    drops a record."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        variants = set()
        for secret in secrets:
            if len(secret) >= MIN_SECRET_LENGTH:
                # As written, and as a URL, a form body or a JSON string would carry it.
                variants |= {secret, quote(secret, safe=""), quote_plus(secret)}
                variants.add(json.dumps(secret)[1:-1])
        self._secrets = sorted(variants, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken log call still logs, without its arguments
            message = f"{record.msg} (arguments not shown: they don't fit the message)"
        if not _is_own(record.pathname):
            message = (
                _strip_queries(message) if record.name == "aiohttp.access" else _elide(message)
            )
        if record.exc_info and record.exc_info[1] is not None:
            chain = _chain(record.exc_info[1])
            # A library quoting the exception in its message ("error: {e}") quotes it no more.
            for exc, _ in chain:
                text = str(exc)
                if not _telling(exc) and len(text) >= MIN_SECRET_LENGTH:
                    message = message.replace(text, WITHHELD)
            record.exc_text = self.scrub(_traceback_without_messages(chain))
        record.msg = self.scrub(message)
        record.args = None
        if record.stack_info:
            record.stack_info = self.scrub(record.stack_info)
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if isinstance(value, str):
                setattr(record, name, self.scrub(value))
        return True

    def scrub(self, text: str) -> str:
        """`text` with every known secret and every credential-shaped string redacted."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        for pattern, replacement in _CREDENTIALS:
            text = pattern.sub(replacement, text)
        return text


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (ISO 8601, UTC), level, logger, message, and the context
    when there is some: platform (from the record, or the logger's name), command, nudge_id,
    error (the exception's type) and exception (its traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        created = datetime.fromtimestamp(record.created, UTC)
        entry: dict[str, Any] = {
            "time": created.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        platform = getattr(record, "platform", None) or _platform_of(record.name)
        if platform:
            entry["platform"] = platform
        for name in CONTEXT_FIELDS[1:]:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value if isinstance(value, int | float | bool) else str(value)
        if record.exc_info and record.exc_info[1] is not None:
            entry["error"] = type(record.exc_info[1]).__name__
            if not record.exc_text:
                record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


_PLATFORM_LOGGERS = {
    "adapters.slack": "slack",
    "slack_bolt": "slack",
    "slack_sdk": "slack",
    "adapters.discord": "discord",
    "discord": "discord",
    "adapters.console": "console",
}


def _platform_of(logger: str) -> str | None:
    for prefix, platform in _PLATFORM_LOGGERS.items():
        if logger == prefix or logger.startswith(prefix + "."):
            return platform
    return None


# -- whose record is it -----------------------------------------------------------------------

_PROJECT = Path(__file__).resolve().parent.parent
_OWN_PACKAGES = tuple(
    str(_PROJECT / package) + os.sep for package in ("bot", "adapters", "rules", "migrations")
)


@functools.lru_cache(maxsize=1024)
def _is_own(pathname: str) -> bool:
    """Whether the code that wrote a record is this project's (which logs no payloads), rather
    than a library's, whatever logger it used (bolt and slack_sdk log through ours)."""
    return os.path.realpath(pathname).startswith(_OWN_PACKAGES)


# -- credentials, on every record -------------------------------------------------------------

_SECRET_KEYS = (
    r"[\w-]*token|[\w-]*secret|password|passwd|authorization|x-slack-signature|"
    r"code|state|response_url|webhook_url"
)
_CREDENTIALS: list[tuple[re.Pattern[str], str]] = [
    # Slack tokens: bot, user, app-level, refresh, configuration (xoxe.xoxp-...).
    (re.compile(r"\bxox[a-z]?(?:\.xox[a-z])?-[A-Za-z0-9-]+"), REDACTED),
    (re.compile(r"\bxapp-[A-Za-z0-9-]+"), REDACTED),
    # A Discord bot token: three base64url parts (the user id, a timestamp, an HMAC).
    (re.compile(r"\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}"), REDACTED),
    (
        re.compile(
            r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(?:(?:bearer|bot|basic)\s+)?[^'\",}\s]+"
        ),
        rf"\g<1>{REDACTED}",
    ),
    (re.compile(r"\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}"), rf"\g<1>{REDACTED}"),
    # "token": "...", 'client_secret': '...', in a dict's repr or in JSON.
    (
        re.compile(rf"(?i)(['\"](?:{_SECRET_KEYS})['\"]\s*:\s*)(['\"])(?:\\.|(?!\2).)*\2"),
        rf"\g<1>\g<2>{REDACTED}\g<2>",
    ),
    # token=..., code=..., in a query string or a form body.
    (
        re.compile(rf"(?i)((?<![^\s?&;'\"(])(?:{_SECRET_KEYS})=)[^&\s'\"#;)]+"),
        rf"\g<1>{REDACTED}",
    ),
    # An interaction's or webhook's token in a Discord URL: a credential to answer as the bot.
    (re.compile(r"(/(?:interactions|webhooks)/\d+/)[^/\s'\"?]+"), rf"\g<1>{REDACTED}"),
    # A calendar subscription's secret, in its URL (bot.calendar_feed): it opens the calendar.
    (re.compile(r"(/calendar/)[A-Za-z0-9_-]{16,}"), rf"\g<1>{REDACTED}"),
    # A response_url (hooks.slack.com/commands/T/123/secret) is a credential too.
    (re.compile(r"(hooks\.slack\.com/)[^\s'\"?,)]+"), rf"\g<1>{REDACTED}"),
    # A password in a URL: scheme://user:password@host.
    (re.compile(r"(\b[a-z][\w+.-]*://[^\s:/@'\"]*:)[^\s@/'\"]+@"), rf"\g<1>{REDACTED}@"),
    # A Slack request signature.
    (re.compile(r"\bv0=[0-9a-f]{16,}"), f"v0={REDACTED}"),
    # bolt's failed OAuth exchange ("... oauth.v2.access result with code: ...").
    (re.compile(r"(?i)(\bwith code:?\s*)\S+"), rf"\g<1>{REDACTED}"),
]


# -- payloads, on libraries' records ----------------------------------------------------------

# What a payload keeps: the few keys that say what it was, with a short word for a value.
_KEPT_KEYS = ("op", "t", "type", "error", "ok", "envelope_type", "retry_attempt", "retry_reason")
_KEPT = re.compile(
    r"(['\"])("
    + "|".join(_KEPT_KEYS)
    + r")\1\s*:\s*(?:(['\"])([\w./:-]{1,64})\3|(-?\d{1,6}|True|False|true|false|None|null)\b)"
)
_KEPT_AT_MOST = 4
_CLOSERS = {"{": "}", "[": "]"}
_QUOTES = "'\""
# Where a quote opens a string rather than ending a word ("couldn't").
_BEFORE_STRING = " \t\n([{=:,<"
_QUERY = re.compile(r"((?:https?://|wss?://|(?<=[\s\"'])/)[^\s?#'\"]*)\?[^\s'\"#)]*")
_FORM = re.compile(r"(?<![\w%.-])[\w%.\[\]-]+=[^&\s]*(?:&[\w%.\[\]-]+=[^&\s]*)+")


def _elide(text: str) -> str:
    """`text` (a library's log line) with its payloads reduced to `…`: dicts and lists (keeping
    `_KEPT_KEYS`), quoted strings, query strings and form bodies."""
    text = _FORM.sub(ELIDED, _strip_queries(text))
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in _CLOSERS:
            end = _structure_end(text, i)
            if char == "[" and not any(c in text[i + 1 : end] for c in "'\"{[<"):
                out.append(text[i:end])  # a list of numbers, or words in brackets: no payload
            else:
                out.append(f"{char}{_kept(text[i:end])}{ELIDED}{_CLOSERS[char]}")
            i = end
        elif char in _QUOTES and _opens_string(text, i):
            end = _string_end(text, i)
            out.append(f"{char}{ELIDED}{char}")
            i = end
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _strip_queries(text: str) -> str:
    return _QUERY.sub(rf"\g<1>?{ELIDED}", text)


def _opens_string(text: str, i: int) -> bool:
    before = text[i - 1] if i else " "
    if before in "bru" and (i < 2 or text[i - 2] in _BEFORE_STRING):  # b'...', r"..."
        return True
    return before in _BEFORE_STRING


def _string_end(text: str, i: int) -> int:
    """The index after the string opening at `i`; the end of `text` if it never closes."""
    quote_char, j = text[i], i + 1
    while j < len(text):
        if text[j] == "\\":
            j += 2
        elif text[j] == quote_char:
            return j + 1
        else:
            j += 1
    return len(text)


def _tokens(text: str, i: int) -> Iterator[tuple[str, int]]:
    """The dict or list opening at `i`, token by token (a string whole, any other character
    alone) with the depth it is at (1: inside the outer brackets), up to its closing bracket or
    the end of `text`."""
    depth, j = 0, i
    while j < len(text):
        if text[j] in _QUOTES:
            end = _string_end(text, j)
            yield text[j:end], depth
            j = end
            continue
        if text[j] in _CLOSERS:
            depth += 1
        elif text[j] in "}]":
            depth -= 1
        yield text[j], depth
        j += 1
        if depth == 0:
            return


def _structure_end(text: str, i: int) -> int:
    """The index after the dict or list opening at `i`; the end of `text` if it never closes
    (a truncated payload is elided whole)."""
    return i + sum(len(token) for token, _ in _tokens(text, i))


def _kept(payload: str) -> str:
    """The `_KEPT_KEYS` at the top level of `payload` (a dict's or list's text), as `k=v, `."""
    top = "".join(t for t, depth in _tokens(payload, 0) if depth == 1 and t not in "{}[]")
    kept: dict[str, str] = {}
    for match in _KEPT.finditer(top):
        key, value = match.group(2), match.group(4) or match.group(5)
        kept.setdefault(key, value)
        if len(kept) == _KEPT_AT_MOST:
            break
    return "".join(f"{key}={value}, " for key, value in kept.items())


# -- tracebacks --------------------------------------------------------------------------------

_CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"


# Exceptions whose text is a platform's or the network's answer, never a student's words: shown
# whole (and still scrubbed of secrets), since that answer ("invalid_auth") is what an operator
# needs. Any other exception is shown by its type.
_TELLING_MODULES = ("slack_sdk.errors", "discord.errors", "aiohttp.client_exceptions")


def _telling(exc: BaseException) -> bool:
    return isinstance(exc, OSError) or type(exc).__module__ in _TELLING_MODULES


def _chain(error: BaseException) -> list[tuple[BaseException, str]]:
    """`error` and the exceptions it was raised from, newest first, each with the words that
    link it to the next."""
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if current.__cause__ is not None:
            chain.append((current, _CAUSE))
            current = current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            chain.append((current, _CONTEXT))
            current = current.__context__
        else:
            chain.append((current, ""))
            current = None
    return chain


def _traceback_without_messages(chain: list[tuple[BaseException, str]]) -> str:
    """The traceback of a `_chain`, oldest first as Python prints it, each exception's message
    withheld unless it is `_telling`."""
    parts: list[str] = []
    for exc, link in reversed(chain):
        if parts:
            parts.append(link)
        if exc.__traceback__ is not None:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_tb(exc.__traceback__))
        text = str(exc) if _telling(exc) else WITHHELD
        parts.append(f"{_exception_name(exc)}: {text}\n")
    return "".join(parts).rstrip("\n")


def _exception_name(exc: BaseException) -> str:
    kind = type(exc)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    if isinstance(exc, OSError) and exc.errno is not None:
        name += f" (errno {exc.errno})"
    return name
