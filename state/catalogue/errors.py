"""Why a configuration record was refused: each error names the kind, id, card, field and value.

A bad config record never replaces a good one: validation returns these as values
(``Invalid``), and the catalogue keeps what it had.
"""

from __future__ import annotations

from dataclasses import dataclass

from events.records import ConfigKind


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigError:
    """One thing wrong with one config record.

    ``card`` is the 1-based position of a role card (its priority) and ``card_role`` the role it
    names, when the error is inside a card; ``field`` is the path of the offending field inside
    the record (``cards[2].conditions.children[0].operator``); ``value`` is the offending value as
    written (never personal data: config holds none).
    """

    kind: ConfigKind
    config_id: str
    field: str
    value: str
    problem: str
    card: int | None = None
    card_role: str | None = None

    @property
    def message(self) -> str:
        """E.g. ``roles_template 't1': role card 2 (Champion): operator 'gt' needs a number,
        got 'VP'`` (field: ``cards[2].conditions.values[0]``)."""
        where = f"{self.kind.value} {self.config_id!r}: "
        if self.card is not None:
            where += f"role card {self.card} ({self.card_role}): "
        return f"{where}{self.field}: {self.problem}, got {self.value!r}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Invalid:
    """A refused config record: at least one error."""

    errors: tuple[ConfigError, ...]

    @property
    def message(self) -> str:
        return "; ".join(error.message for error in self.errors)


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorContext:
    """Where errors are being collected: the record, and the card when inside one."""

    kind: ConfigKind
    config_id: str
    card: int | None = None
    card_role: str | None = None

    def error(self, field: str, value: object, problem: str) -> ConfigError:
        return ConfigError(
            kind=self.kind,
            config_id=self.config_id,
            card=self.card,
            card_role=self.card_role,
            field=field,
            value=value if isinstance(value, str) else repr(value),
            problem=problem,
        )
