"""Reading the rule files (the rulebook, the draft templates): TOML in, typed values out, and
every problem reported with the file and the key's full path, so a club can fix its file."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from difflib import get_close_matches
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["TomlReader", "read_rule_file"]

# Makes the error for a problem (`problem`) with a key (its full path, "kinds.call.label").
Fail = Callable[[str, str], Exception]


def read_rule_file(
    path: Path | str | None, bundled: str, error: Callable[[str, str, str], Exception]
) -> tuple[str, str]:
    """The file's name for messages, and its text: the bundled `rules/<bundled>` when `path` is
    None. A file that can't be read raises `error(name, "(file)", problem)`."""
    if path is None:
        return f"rules/{bundled}", resources.files("rules").joinpath(bundled).read_text("utf-8")
    try:
        return str(path), Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise error(str(path), "(file)", f"can't be read: {err.strerror}") from None
    except UnicodeDecodeError:
        raise error(str(path), "(file)", "is not UTF-8 text") from None


class TomlReader:
    """Reads typed values out of parsed TOML; a problem raises `fail(key, problem)`."""

    def __init__(self, fail: Fail) -> None:
        self.fail = fail

    def table(self, data: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any]:
        value = data.get(key)
        if not isinstance(value, dict):
            raise self.fail(f"{path}{key}", "missing table" if value is None else "must be a table")
        return value

    def tables(
        self, data: Mapping[str, Any], key: str, allowed: Iterable[str]
    ) -> Iterator[tuple[str, Mapping[str, Any], str]]:
        """The tables in the top-level table `key` (each kind in "kinds"), their keys checked
        against `allowed`: each with its name, and the path its keys have ("kinds.call.")."""
        for name, value in self.table(data, key, "").items():
            if not isinstance(value, dict):
                raise self.fail(f"{key}.{name}", "must be a table")
            path = f"{key}.{name}."
            self.check_keys(value, allowed, path)
            yield name, value, path

    def string(
        self, data: Mapping[str, Any], key: str, path: str, *, empty_ok: bool = False
    ) -> str:
        value = data.get(key)
        if not isinstance(value, str):
            raise self.fail(f"{path}{key}", "missing" if value is None else "must be a string")
        if not empty_ok and not value.strip():
            raise self.fail(f"{path}{key}", "must not be empty")
        return value

    def number(
        self, data: Mapping[str, Any], key: str, path: str, *, default: float | None = None
    ) -> float:
        value = data.get(key, default)
        if value is None:
            raise self.fail(f"{path}{key}", "missing")
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.fail(f"{path}{key}", f"must be a positive number, not {value!r}")
        return float(value)

    def flag(self, data: Mapping[str, Any], key: str, path: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(f"{path}{key}", "must be true or false")
        return value

    def strings(self, data: Mapping[str, Any], key: str, path: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(f"{path}{key}", "must be a list of non-empty strings")
        return tuple(value)

    def check_keys(self, data: Mapping[str, Any], allowed: Iterable[str], path: str) -> None:
        allowed = list(allowed)
        for key in data:
            if key not in allowed:
                close = get_close_matches(key, allowed, n=1)
                hint = f" (did you mean {close[0]}?)" if close else " (is it misspelt?)"
                raise self.fail(f"{path}{key}", f"unknown key{hint}")
