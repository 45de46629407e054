"""The sharded read-only mapping behaves like a dict of the same items."""

from __future__ import annotations

from types import MappingProxyType

from hypothesis import given
from hypothesis import strategies as st

from state.model.shards import Sharded, sharded, sharded_with, sharded_without
from streams.runtime.state_codec import decode_value, encode_value

keys = st.text(min_size=1, max_size=6)
operations = st.lists(st.tuples(keys, st.one_of(st.none(), st.integers())), max_size=80)


@given(start=st.dictionaries(keys, st.integers(), max_size=20), changes=operations)
def test_a_sharded_mapping_holds_what_a_dict_holds(
    start: dict[str, int], changes: list[tuple[str, int | None]]
) -> None:
    model = dict(start)
    mapping: MappingProxyType[str, int] | Sharded[int] = MappingProxyType(dict(start))
    for key, value in changes:
        if value is None:
            model.pop(key, None)
            mapping = sharded_without(mapping, key)
        else:
            model[key] = value
            mapping = sharded_with(mapping, key, value)
        assert len(mapping) == len(model)
        assert (key in mapping) == (key in model)
        assert mapping.get(key) == model.get(key)
    assert mapping == model
    assert model == dict(mapping.items())
    assert sorted(mapping) == sorted(model)
    stored = mapping if isinstance(mapping, Sharded) else sharded(mapping.items())
    assert decode_value(encode_value(stored), Sharded) == model


def test_changing_one_key_shares_the_other_shards() -> None:
    people = sharded((f"p{number}", number) for number in range(1000))
    changed = sharded_with(people, "p7", -7)
    shared = sum(old is new for old, new in zip(people.shards, changed.shards, strict=True))
    assert shared == len(people.shards) - 1
    assert changed["p7"] == -7
    assert people["p7"] == 7
    assert sharded_without(changed, "nobody") is changed
    assert len(sharded_without(changed, "p7")) == 999
