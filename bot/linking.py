"""Joining a student's Slack and Discord accounts into one student: the one-time codes.

`/followups link` on one platform gives a code (`new_code`); typing `/followups link CODE` on
the other joins the two accounts. A code is 8 characters of an alphabet without look-alikes
(no 0/O, 1/I/L), about 40 bits, shown as ABCD-EF23; it is good for `CODE_LIFETIME`, once.
Only its sha256 is stored (`code_hash`), and the stored row is checked against the typed
code with `hmac.compare_digest`. An account that types `TRIES` wrong codes waits `PAUSE`
before it may try again: with codes this long and this short-lived, guessing one is hopeless.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from bot.domain import Address

__all__ = [
    "CODE_LIFETIME",
    "LINKABLE",
    "PAUSE",
    "TRIES",
    "code_hash",
    "new_code",
    "normal_code",
    "read_tries",
    "tries_key",
    "write_tries",
]

# The platforms whose accounts can be joined into one student.
LINKABLE = ("slack", "discord")
CODE_LIFETIME = timedelta(minutes=10)
# Five slips are plenty for a student copying a code; a guesser gets five a quarter-hour.
TRIES = 5
PAUSE = timedelta(minutes=15)
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_LENGTH = 8


def new_code() -> str:
    """A new code, as the student sees it: ABCD-EF23."""
    code = "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))
    return f"{code[:4]}-{code[4:]}"


def normal_code(typed: str) -> str | None:
    """The code as typed, in its stored form (capitals, no dash or spaces); None when it can't
    be a code at all."""
    code = "".join(typed.split()).replace("-", "").upper()
    if len(code) != _LENGTH or any(c not in _ALPHABET for c in code):
        return None
    return code


def code_hash(code: str) -> str:
    """What is stored of a code (in its normal form): its sha256, in hex."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def tries_key(address: Address) -> str:
    """Where an account's wrong tries are counted (bot state). It ends with the account's
    workspace and user, so forget-me takes it with the account's other keys."""
    return f"link-tries:{address.platform}:{address.workspace}:{address.user}"


def read_tries(value: str | None) -> tuple[int, datetime | None]:
    """Wrong tries so far, and the end of the pause they earned, from a stored value."""
    if not value:
        return 0, None
    count, _, until = value.partition("|")
    return int(count), datetime.fromisoformat(until) if until else None


def write_tries(count: int, paused_until: datetime | None) -> str:
    return f"{count}|{paused_until.isoformat() if paused_until else ''}"
