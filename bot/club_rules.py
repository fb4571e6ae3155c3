"""A club's own rulebook and draft templates: checked when its organizers paste them, and
parsed once per version (a club's TOML changes rarely; conversations ask often).

`ClubBooks` keeps what it parsed keyed by club, what and when it was set, so a new version
replaces the old and nothing is parsed twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.domain import ClubRules
from rules.drafts import DraftBook, drafts_fit, drafts_from_text
from rules.engine import Rulebook
from rules.rulebook import rulebook_from_text

__all__ = ["PASTE_LIMIT", "Books", "ClubBooks", "pasted_name"]

# The most a pasted rulebook or set of templates may be, in UTF-8 bytes: the bundled ones are
# under a quarter of it.
PASTE_LIMIT = 64 * 1024


def pasted_name(what: str) -> str:
    """How an error names pasted text that came with no file name."""
    return "your pasted rulebook" if what == "rulebook" else "your pasted templates"


@dataclass(frozen=True)
class Books:
    """The rulebook and templates a club's follow-ups use, and whether each is its own."""

    rulebook: Rulebook
    drafts: DraftBook
    own_rulebook: ClubRules | None = None
    own_drafts: ClubRules | None = None


class ClubBooks:
    """The deployment's rulebook and templates, and each club's own, parsed once a version."""

    def __init__(self, rulebook: Rulebook, drafts: DraftBook) -> None:
        self.rulebook = rulebook
        self.drafts = drafts
        self._parsed: dict[tuple[int, str], tuple[ClubRules, Rulebook | DraftBook]] = {}

    def books(self, own: dict[str, ClubRules]) -> Books:
        """What a club with these own rules (`Clubs.rules`) uses: its own where it has them,
        else the deployment's. Stored rules were checked when set; should one no longer parse
        (a later release reads rulebooks more strictly), RulebookError says which."""
        own_rulebook, own_drafts = own.get("rulebook"), own.get("drafts")
        rulebook = self.rulebook
        if own_rulebook is not None:
            parsed = self._cached(
                own_rulebook, lambda: rulebook_from_text(own_rulebook.toml, pasted_name("rulebook"))
            )
            assert isinstance(parsed, Rulebook)
            rulebook = parsed
        drafts = self.drafts
        if own_drafts is not None:
            made = self._cached(
                own_drafts, lambda: drafts_from_text(own_drafts.toml, pasted_name("drafts"))
            )
            assert isinstance(made, DraftBook)
            drafts = made
        return Books(rulebook, drafts, own_rulebook, own_drafts)

    def check_rulebook(
        self, text: str, source: str, *, drafts: DraftBook | None = None
    ) -> Rulebook:
        """The rulebook in `text`, checked exactly as FOLLOWUP_RULEBOOK is, and against the
        templates the club uses (`drafts`, else the deployment's): RulebookError or DraftsError
        naming `source` (or the templates), the key and the problem."""
        rulebook = rulebook_from_text(text, source or pasted_name("rulebook"))
        drafts_fit(drafts or self.drafts, rulebook)
        return rulebook

    def _cached(
        self, rules: ClubRules, parse: Callable[[], Rulebook | DraftBook]
    ) -> Rulebook | DraftBook:
        key = (rules.club_id, rules.what)
        found = self._parsed.get(key)
        if found is not None and found[0] == rules:
            return found[1]
        parsed = parse()
        self._parsed[key] = (rules, parsed)
        return parsed
