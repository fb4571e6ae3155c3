"""One storage session at a time in a task.

SQLite on the event loop and the in-memory fakes both have a single writer: a session opened
inside another would wait for the outer one, that is for itself, forever. They refuse it at
once instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["one_session_at_a_time"]


@contextmanager
def one_session_at_a_time(in_session: ContextVar[bool]) -> Iterator[None]:
    """Mark the current task as in a session (`in_session`) for the block; raise if it already
    was."""
    if in_session.get():
        raise RuntimeError("a storage session was opened inside another one")
    token = in_session.set(True)
    try:
        yield
    finally:
        in_session.reset(token)
