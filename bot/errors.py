"""The one exception a person's input may cause."""

from __future__ import annotations

__all__ = ["UserError"]


class UserError(ValueError):
    """What a person typed can't be used. str() is a friendly message that says what is wrong
    and how to do it right; nothing has been changed."""
