"""The in-memory fake of the linked accounts and their codes (see `bot.testing.storage`)."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from datetime import datetime

from bot.domain import Person
from bot.testing.tables import Tables

__all__ = ["InMemoryAccounts"]


class InMemoryAccounts:
    def __init__(self, tables: Tables) -> None:
        self.t = tables

    async def by_id(self, person_id: int) -> Person | None:
        found = self.t.people.get(person_id)
        return copy.copy(found) if found else None

    async def linked_to(self, primary_id: int) -> list[Person]:
        return [copy.copy(p) for i, p in sorted(self.t.people.items()) if p.linked_to == primary_id]

    async def join(self, account_id: int, primary_id: int, numbers: Mapping[int, int]) -> None:
        for follow_up_id, number in numbers.items():
            follow_up = self.t.follow_ups[follow_up_id]
            if follow_up.person_id == account_id:
                follow_up.person_id, follow_up.number = primary_id, number
        for conversation in self.t.conversations.values():
            if conversation.person_id == account_id:
                conversation.person_id = primary_id
        self._move_fair_lists(account_id, primary_id)
        self.t.drop_codes_and_feeds(account_id)
        self.t.people[account_id].linked_to = primary_id

    async def make_primary(self, old_id: int, new_id: int) -> None:
        for conversation in self.t.conversations.values():
            if conversation.person_id == old_id:
                conversation.person_id = new_id
        for follow_up in self.t.follow_ups.values():
            if follow_up.person_id == old_id:
                follow_up.person_id = new_id
        self.t.calendar_feeds = {
            h: new_id if p == old_id else p for h, p in self.t.calendar_feeds.items()
        }
        self.t.link_codes = {
            h: (new_id if p == old_id else p, e) for h, (p, e) in self.t.link_codes.items()
        }
        self._move_fair_lists(old_id, new_id)
        self.t.next_numbers[new_id] = self.t.next_numbers[old_id]
        for person_id, person in self.t.people.items():
            if person.linked_to == old_id or person_id == old_id:
                self.t.people[person_id] = dataclasses.replace(person, linked_to=new_id)
        self.t.people[new_id].linked_to = None

    def _move_fair_lists(self, old_id: int, new_id: int) -> None:
        for fair in self.t.fair_lists.values():
            if fair.person_id == old_id:
                fair.person_id = new_id

    async def unlink(self, primary_id: int) -> None:
        for person in self.t.people.values():
            if person.linked_to == primary_id:
                person.linked_to = None

    async def add_code(self, person_id: int, code_hash: str, expires_at: datetime) -> None:
        self.t.link_codes = {h: v for h, v in self.t.link_codes.items() if v[0] != person_id}
        self.t.link_codes[code_hash] = (person_id, expires_at)

    async def take_code(self, code_hash: str) -> tuple[int, datetime] | None:
        return self.t.link_codes.pop(code_hash, None)
