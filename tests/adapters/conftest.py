"""The bot's own logging set up as `followup-bot run` sets it up (adapters/logs.py), writing to a
buffer the test reads: what an operator would see, after the redaction filter."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator, Mapping

import pytest

from adapters.logs import configure_logging

ConfigureLog = Callable[..., io.StringIO]


@pytest.fixture
def log_output() -> Iterator[ConfigureLog]:
    """`log_output(level, log_format, env)`: configure logging; the stream its handler writes.
    The root logger is put back as it was afterwards."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)

    def configure(
        level: str = "DEBUG", log_format: str = "text", env: Mapping[str, str] | None = None
    ) -> io.StringIO:
        stream = io.StringIO()
        configure_logging(level, log_format, stream=stream, env=env or {})
        return stream

    yield configure
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
