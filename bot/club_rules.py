"""A club's own rulebook and draft templates: checked when its organizers paste them, and
parsed once per version (a club's TOML changes rarely; conversations ask often).

`ClubBooks` keeps what it parsed keyed by club, what and when it was set, so a new version
replaces the old and nothing is parsed twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.domain import ClubRules, Conversation, Person
from bot.ports import UnitOfWork
from rules.drafts import DraftBook, drafts_fit, drafts_from_text
from rules.engine import Rulebook
from rules.rulebook import RulebookError, rulebook_from_text

__all__ = [
    "PASTE_LIMIT",
    "Books",
    "ClubBooks",
    "Rulebooks",
    "channel_key",
    "pasted_name",
]

log = logging.getLogger(__name__)

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


ChannelKey = tuple[str, str, str]


def channel_key(person: Person, conversation: Conversation) -> ChannelKey | None:
    """The club channel a conversation was logged in, as `Clubs.rules_by_channel` keys it: in
    the workspace of the student's own (primary) account; None for one logged in a DM."""
    if conversation.logged_in is None:
        return None
    address = person.address
    return (address.platform, address.workspace, conversation.logged_in)


class Rulebooks:
    """Which rulebook a conversation follows: its club's own when it was logged in a club
    channel that has one, else the deployment's. Each club's rulebook is parsed once a version
    (kept by club and when it was set), so resolving costs one read per batch and no parsing."""

    def __init__(self, rulebook: Rulebook) -> None:
        self.rulebook = rulebook
        self._parsed: dict[tuple[int, str], tuple[ClubRules, Rulebook | DraftBook]] = {}

    async def by_channel(self, uow: UnitOfWork) -> dict[ChannelKey, Rulebook]:
        """Every club's own rulebook, by its channel, in one read."""
        found: dict[ChannelKey, Rulebook] = {}
        for key, own in (await uow.clubs.rules_by_channel()).items():
            for rules in own:
                if rules.what == "rulebook":
                    found[key] = self.own_rulebook(rules)
        return found

    def of(
        self, found: Mapping[ChannelKey, Rulebook], person: Person, conversation: Conversation
    ) -> Rulebook:
        """The conversation's rulebook among `found` (`by_channel`)."""
        key = channel_key(person, conversation)
        return found.get(key, self.rulebook) if key is not None else self.rulebook

    def own_rulebook(self, rules: ClubRules) -> Rulebook:
        """A club's own rulebook, parsed on first use of this version. Checked when it was set:
        should a later release read it more strictly, the club's follow-ups fall back to the
        deployment's rulebook (and the log says which club) rather than stop every nudge."""
        try:
            parsed = self._cached(
                rules, lambda: rulebook_from_text(rules.toml, pasted_name("rulebook"))
            )
        except RulebookError:
            log.warning("club %s's own rulebook no longer reads", rules.club_id)
            return self.rulebook
        assert isinstance(parsed, Rulebook)
        return parsed

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


class ClubBooks(Rulebooks):
    """The deployment's rulebook and templates, and each club's own, parsed once a version."""

    def __init__(self, rulebook: Rulebook, drafts: DraftBook) -> None:
        super().__init__(rulebook)
        self.drafts = drafts

    def books(self, own: Mapping[str, ClubRules]) -> Books:
        """What a club with these own rules (`Clubs.rules`) uses: its own where it has them,
        else the deployment's."""
        own_rulebook, own_drafts = own.get("rulebook"), own.get("drafts")
        rulebook = self.own_rulebook(own_rulebook) if own_rulebook else self.rulebook
        drafts = self.drafts
        if own_drafts is not None:
            try:
                made = self._cached(
                    own_drafts, lambda: drafts_from_text(own_drafts.toml, pasted_name("drafts"))
                )
            except RulebookError:
                log.warning("club %s's own templates no longer read", own_drafts.club_id)
            else:
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
