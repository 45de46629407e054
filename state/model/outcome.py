"""What applying one input produced: the new account state and the records to emit, in order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from events.records import OutputRecord
from state.catalogue.catalogue import Catalogue
from state.model.account import AccountState


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """``records`` in emission order; per group, versions strictly increase."""

    state: AccountState
    records: tuple[OutputRecord, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """What every rule applied for one input may read: the catalogue, the input's id (the cause
    of every record) and the time of processing."""

    catalogue: Catalogue
    cause: str
    now: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """Work in progress inside ``apply``: the state so far, the records emitted so far, and the
    people whose engagement points moved (their groups need rescoring)."""

    state: AccountState
    records: tuple[OutputRecord, ...] = ()
    engaged: frozenset[str] = frozenset()

    def then(self, state: AccountState, records: tuple[OutputRecord, ...] = ()) -> Step:
        return Step(state=state, records=self.records + records, engaged=self.engaged)

    def engaging(self, person_id: str) -> Step:
        """This step, noting that ``person_id``'s engagement points moved."""
        return Step(state=self.state, records=self.records, engaged=self.engaged | {person_id})
