"""What the bot says about clubs: set up, organizers, refusals. Plain text: adapters escape it,
so a club's name can never become a mention."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.club_rules import Books
from bot.domain import Club, ClubEvent, ClubRules
from bot.fairs import is_fair_key
from bot.formatting import clip, format_day, format_moment
from bot.met import MetInput
from bot.replies import (
    FAIR_LABEL,
    EventAction,
    EventButton,
    EventCard,
    FairPrefill,
    Reply,
    Section,
)
from rules.engine import Rulebook

__all__ = [
    "CLUB_NAME_LIMIT",
    "TITLE_LIMIT",
    "bad_paste",
    "club_deleted",
    "club_shown",
    "club_updated",
    "company_too_long",
    "delete_question",
    "digest_changed",
    "digest_shown",
    "event_cancelled",
    "event_cancelled_already",
    "event_changed",
    "event_help",
    "event_is_cancelled",
    "event_is_over",
    "event_posted",
    "event_prompt",
    "events_listed",
    "fair_list_has",
    "fair_list_to_plan",
    "follow_only_on_discord",
    "going",
    "log_at_event",
    "name_too_long",
    "no_such_event",
    "not_a_club",
    "not_a_fair",
    "not_in_a_channel",
    "not_your_event",
    "nothing_pasted",
    "only_organizers",
    "organizer_added",
    "organizer_already",
    "organizer_not_one",
    "organizer_removed",
    "organizers_shown",
    "own_rules_reset",
    "own_rules_set",
    "own_rules_shown",
    "paste_form",
    "paste_too_long",
    "set_up",
    "title_missing",
    "title_too_long",
    "too_many_companies",
    "unknown_kind",
    "with_following",
]

# A club's name heads its cards and digests: a channel's name fits, and a line.
CLUB_NAME_LIMIT = 100

# An event's title heads its card, like a club's name.
TITLE_LIMIT = 100

EVENT_EXAMPLE = '/club event "Deloitte Night" when:"thu 6pm-8pm" kind:networking'
ORGANIZER_COMMANDS = (
    f'Organizers: {EVENT_EXAMPLE} (companies:"Acme, Globex" for a fair) posts an event · '
    '/club events lists them · /club edit N when:"fri 6pm" · /club cancel N · '
    "/club digest weekly mon 9:00 (or off) · "
    "/club setup NAME tz:ZONE renames the club or changes its zone · "
    "/club organizers add @someone · /club organizers remove @someone · "
    "/club rules set or /club templates set (the club's own, in TOML; reset: the default) · "
    "/club delete (asks first)"
)


def not_in_a_channel() -> str:
    return (
        "A club is a shared channel: use /club in the channel your club meets in (not in a DM), "
        "and /club setup there to start one."
    )


def not_a_club() -> str:
    return "This channel isn't a club yet. An organizer can make it one with /club setup."


def only_organizers(club: Club, what: str) -> str:
    return (
        f"Sorry, only the organizers of {clip(club.name, 60)} can {what}. Ask one of them "
        "(/club organizers shows who they are)."
    )


def name_too_long() -> str:
    return f"A club's name can be up to {CLUB_NAME_LIMIT} characters; try a shorter one."


def set_up(club: Club) -> Reply:
    return Reply(
        (
            Section(
                f"This channel is now the club {club.name}, in {club.timezone} time. You "
                "organize it: you can post events, and add organizers.",
                title="Club set up",
            ),
            Section(ORGANIZER_COMMANDS),
        )
    )


def club_updated(club: Club) -> Reply:
    return Reply.text(f"Saved: this channel is the club {club.name}, in {club.timezone} time.")


def club_shown(club: Club, *, organizer: bool) -> Reply:
    you = "You organize it." if organizer else "Organizers post its events here."
    sections = [Section(f"{club.name}, in {club.timezone} time. {you}", title="This club")]
    if organizer:
        sections.append(Section(ORGANIZER_COMMANDS))
    return Reply(tuple(sections))


def follow_only_on_discord() -> str:
    return (
        "follow: is for Discord, where a server has Scheduled Events of its own; here, post "
        "the club's events with /club event."
    )


def with_following(reply: Reply, club: Club) -> Reply:
    """`reply` with whether the club follows its server's Scheduled Events."""
    if club.follows_scheduled_events:
        said = (
            "It follows this server's Scheduled Events: when one ends, it counts as one of the "
            "club's events (its kind read from its name; networking if the name doesn't say), "
            "the members interested in it get the DM to log who they met, and the digests "
            "count it. One club a server follows them: this one now."
        )
    else:
        said = "It doesn't follow this server's Scheduled Events."
    return Reply((*reply.sections, Section(said)))


def delete_question(club: Club) -> Reply:
    return Reply.text(
        f"Delete the club {club.name}? Its events, who was going, and the prompts and digests "
        "still to come go with it, and nothing is posted in the channel. Members keep their "
        "own follow-ups. To go ahead: /club delete confirm"
    )


def club_deleted(club: Club) -> Reply:
    return Reply.text(
        f"Deleted the club {club.name}: its events, who was going, and its prompts and digests "
        "to come. Members' own follow-ups stay theirs. /club setup starts a club here again."
    )


def organizers_shown(club: Club, founder: str, added: Sequence[str]) -> Reply:
    lines = [f"{founder} (set the club up)", *added, "and the workspace's admins"]
    return Reply((Section("\n".join(lines), title=f"Organizers of {club.name}"),))


def organizer_added(name: str) -> Reply:
    return Reply.text(f"{name} is now an organizer of this club.")


def organizer_already(name: str) -> Reply:
    return Reply.text(f"{name} is an organizer already.")


def organizer_removed(name: str) -> Reply:
    return Reply.text(f"{name} is no longer an organizer of this club.")


def organizer_not_one(name: str, *, founder: bool) -> str:
    if founder:
        return f"{name} set the club up and stays one of its organizers."
    return f"{name} isn't one of this club's added organizers."


def event_posted(card: EventCard) -> Reply:
    return Reply.text(
        f"Posted {card.title} (#{card.event_id}) in the channel: {card.when}. Members click "
        "Going on its card; only the count shows.",
        f'Change it with /club edit {card.event_id} when:"...", or /club cancel {card.event_id}.',
    )


def event_changed(card: EventCard) -> Reply:
    return Reply.text(f"Saved: {card.title} (#{card.event_id}), {card.when}. Its card is updated.")


def event_cancelled(title: str) -> Reply:
    return Reply.text(f"Cancelled {title}. Its card says so, and its buttons are gone.")


def event_cancelled_already(title: str) -> Reply:
    return Reply.text(f"{title} is cancelled already.")


def event_is_cancelled(title: str) -> str:
    return f"{clip(title, 60)} is cancelled."


def event_is_over(title: str) -> str:
    return (
        f"{clip(title, 60)} is over already; log who you met there with the Log who I met button."
    )


def not_your_event(event_id: int) -> str:
    return (
        f"You haven't said you're going to an event #{event_id}. Use the Log who I met button "
        "on its card in the club's channel."
    )


def no_such_event(event_id: int) -> str:
    return f"This club has no event #{event_id}. /club events lists them."


def event_help() -> Reply:
    return Reply.text(
        f"Post an event like this: {EVENT_EXAMPLE}",
        'when: is in the club\'s time zone: "thu 6pm-8pm", "tomorrow 18:00", "2026-04-02 '
        '6:30pm-9pm". For a fair, add companies:"Acme, Globex, Initech".',
    )


def events_listed(
    club: Club, cards: Sequence[EventCard], now: datetime, *, organizer: bool
) -> Reply:
    if not cards:
        first = f" Post one with {EVENT_EXAMPLE}." if organizer else ""
        return Reply.text(f"{club.name} has no upcoming or recent events.{first}")

    def line(card: EventCard) -> str:
        parts = [f"#{card.event_id} {card.title}", card.when, card.kind_label]
        if card.companies:
            parts.append(f"{len(card.companies)} companies")
        parts.append("cancelled" if card.cancelled else f"{card.going} going")
        return " · ".join(parts)

    ahead = [line(c) for c in cards if c.ends_at > now]
    recent = [line(c) for c in cards if c.ends_at <= now]
    sections = []
    if ahead:
        sections.append(Section("\n".join(ahead), title="Upcoming"))
    if recent:
        sections.append(Section("\n".join(recent), title="Recent"))
    if organizer:
        sections.append(Section('Change one: /club edit N when:"fri 6pm" · /club cancel N'))
    return Reply(tuple(sections))


def going(title: str, now_going: bool) -> Reply:
    if now_going:
        return Reply.text(
            f"You're going to {title}. Only you see this: the card shows how many are going, "
            "never who. Click Going again if your plans change."
        )
    return Reply.text(f"You're no longer going to {title}.")


def log_at_event(event_id: int, title: str, kind: str) -> Reply:
    # `event:#N` ties what they log to the club's event, as the form does.
    typed = f"/met NAME, COMPANY, {kind}, what you talked about event:#{event_id}"
    return Reply(
        (Section(f"Log who you met at {title}: {typed}"),),
        met_form=MetInput(kind=kind, event=title),
    )


def not_a_fair(title: str) -> str:
    return f"{title} isn't a career fair: a priority list is for a fair's companies."


def fair_list_to_plan(prefill: FairPrefill) -> Reply:
    """No list for the fair yet: its form, filled in; how to type it where there are none."""
    companies = ", ".join(prefill.companies.splitlines()) or "Acme, Globex"
    typed = f'/fair plan "{prefill.name}" {companies} when:{prefill.when}'
    return Reply(
        (
            Section(
                f"Your priority list for {prefill.name}: put its companies in order of interest, "
                "a tier after a colon (1 = most), and leave out those you won't visit. "
                f"To type it: {typed}"
            ),
        ),
        fair_prefill=prefill,
    )


def fair_list_has(fair_name: str, missing: Sequence[str]) -> str:
    """The heading of a fair's list shown from its card: the fair's companies not on it."""
    if not missing:
        return f"Your priority list for {fair_name} has all the fair's companies."
    names = ", ".join(missing)
    return (
        f"Not on your list for {fair_name} yet, of the fair's companies: {names}. To add them: "
        f'/fair add "{fair_name}" {names} (a tier after a colon, like {missing[0]}:2).'
    )


def title_missing() -> str:
    return f"What is the event called? Like {EVENT_EXAMPLE}."


def title_too_long() -> str:
    return f"An event's title can be up to {TITLE_LIMIT} characters; try a shorter one."


def unknown_kind(text: str, rulebook: Rulebook) -> str:
    kinds = ", ".join(rulebook.kinds)
    suggestion = rulebook.suggest_kind(text)
    hint = f" Did you mean {suggestion}?" if suggestion else ""
    return f"“{clip(text, 40)}” isn't a kind of event I know.{hint} One of: {kinds}."


def too_many_companies(limit: int, characters: int) -> str:
    return (
        f"A fair's card lists up to {limit} companies ({characters} characters in all); keep "
        "the ones members ask about most."
    )


def company_too_long(name: str, limit: int) -> str:
    return f"“{clip(name, 40)}” is longer than {limit} characters; shorten that company's name."


def event_prompt(event: ClubEvent, *, reminder: bool) -> Reply:
    """The DM after an event the member was going to; the reminder the next day."""
    assert event.id is not None
    if reminder:
        first = (
            f"Still time to follow up after {event.title}: log who you met and I'll remind you "
            "of each follow-up while it counts. This is the last I'll say about it."
        )
    else:
        first = f"How was {event.title}? Log who you met, while the names are fresh."
    # `event:#N` ties what they log to the club's event, as the button's form does.
    typed = f"Or type: /met NAME, COMPANY, {event.kind} event:#{event.id}"
    buttons = [EventAction(EventButton.LOG, event.id, "Log who I met")]
    if is_fair_key(event.kind):
        # After a fair, its list says whom to follow up with first.
        buttons.append(EventAction(EventButton.FAIR, event.id, FAIR_LABEL))
        typed += f" · your priority list for it: /club fair {event.id}"
    return Reply((Section(first), Section(typed)), event_actions=tuple(buttons))


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _weekly(club: Club) -> str:
    if club.digest_day is None or club.digest_at is None:
        return "no weekly digest"
    return f"a weekly digest on {_WEEKDAYS[club.digest_day]}s at {club.digest_at:%H:%M}"


def digest_shown(club: Club) -> Reply:
    return Reply.text(
        f"{club.name} gets a digest 48 hours after each event, and {_weekly(club)} "
        f"({club.timezone} time). Digests count without naming anyone: a figure from fewer "
        'than 3 members says "too few to report".',
        "Organizers: /club digest weekly mon 9:00 · /club digest off",
    )


def digest_changed(club: Club, first: datetime | None) -> Reply:
    if first is None:
        return Reply.text("No more weekly digest for this club; the one after each event stays.")
    return Reply.text(
        f"This club now gets {_weekly(club)} ({club.timezone} time); the first on "
        f"{format_moment(first, club.zone)}."
    )


# -- the club's own rules and templates -----------------------------------------------------------

_OWN_NAME = {"rulebook": "rules", "drafts": "templates"}


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours > 48 and hours % 24 == 0:
        return f"{int(hours // 24)} days"
    return f"{hours:g} hours" if hours != 1 else "1 hour"


def own_rules_shown(club: Club, what: str, books: Books, own: ClubRules | None, by: str) -> Reply:
    """What the club uses, where it came from, and (for the rulebook) each kind in short."""
    name = _OWN_NAME[what]
    if own is None:
        origin = f"{clip(club.name, 60)} uses the deployment's default {_NOUN[what]}."
    else:
        origin = (
            f"{clip(club.name, 60)} uses its own {_NOUN[what]}, set by {clip(by, 60)} on "
            f"{format_day(own.set_at, club.zone)}."
        )
    how = (
        f"Organizers: /club {name} paste opens a form to paste the TOML in (or /club {name} set "
        f"followed by it; a file: Discord's file option) · /club {name} reset goes back to the "
        "default"
    )
    if what == "drafts":
        styles = ", ".join(books.drafts.styles)
        return Reply.text(origin, f"Draft styles: {styles}.", how)
    rulebook = books.rulebook
    lines = []
    for key, kind in rulebook.kinds.items():
        steps = "; ".join(
            " or ".join(rulebook.methods[m].label for m in rule.methods if m in rulebook.methods)
            + f" ideally within {_hours(rule.ideal)}"
            + (f", still fine up to {_hours(rule.adequate)}" if rule.adequate else "")
            for rule in kind.follow_ups
        )
        lines.append(f"{kind.label} ({key}): {steps or 'no follow-ups'}")
    return Reply(
        sections=(
            Section(origin),
            Section("\n".join(lines), title="Kinds of conversation"),
            Section(how),
        )
    )


_NOUN = {"rulebook": "rulebook", "drafts": "draft templates"}


def own_rules_set(club: Club, what: str) -> Reply:
    return Reply.text(
        f"{clip(club.name, 60)} now uses its own {_NOUN[what]}: follow-ups members log here "
        f"use them. /club {_OWN_NAME[what]} shows them."
    )


def own_rules_reset(club: Club, what: str, was_own: bool) -> Reply:
    if not was_own:
        return Reply.text(f"{clip(club.name, 60)} already uses the default {_NOUN[what]}.")
    return Reply.text(f"{clip(club.name, 60)} is back to the default {_NOUN[what]}.")


def paste_form(what: str) -> Reply:
    name = _OWN_NAME[what]
    return Reply(
        (
            Section(
                f"Paste the TOML after /club {name} set, written like the deployment's "
                f"{'rulebook.toml' if what == 'rulebook' else 'drafts.toml'}."
            ),
        ),
        rules_form=what,
    )


def nothing_pasted(what: str) -> str:
    return (
        f"Paste the TOML after /club {_OWN_NAME[what]} set (on Discord, or attach the file), "
        f"written like the deployment's {'rulebook.toml' if what == 'rulebook' else 'drafts.toml'}."
    )


def paste_too_long(what: str, limit: int) -> str:
    return (
        f"That's more than {limit // 1024} KB; a club's {_NOUN[what]} can be up to "
        f"{limit // 1024} KB. Nothing changed."
    )


def bad_paste(what: str, problem: str) -> str:
    return f"That {_NOUN[what]} can't be used, so nothing changed. {clip(problem, 600)}"
