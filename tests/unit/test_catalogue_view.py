"""Every worker folds the config topic the same way: good records change the catalogue, bad
ones are refused with a reason and change nothing, tombstones delete."""

from __future__ import annotations

import asyncio

from events.codec import Codec
from events.records import config_key_for
from streams.runtime.catalogue_view import CatalogueView
from tests.unit.catalogue_builders import card, leaf, template_record

CODEC = Codec()


def _view_with_template() -> tuple[CatalogueView, bytes]:
    view = CatalogueView(codec=CODEC)
    good = template_record("t-1", card("Decision Maker", leaf("job_title", "contains", "VP")))
    verdict = view.fold(0, config_key_for(good.kind, good.id).encode(), CODEC.encode(good))
    assert verdict.change == good
    return view, config_key_for(good.kind, good.id).encode()


def test_bad_record_is_refused_and_keeps_the_good_one() -> None:
    view, key = _view_with_template()
    bad = template_record("t-1", card("Decision Maker", leaf("job_title", "gtt", "VP")))

    verdict = view.fold(1, key, CODEC.encode(bad))

    assert verdict.change is None
    assert verdict.kind == "config_refused"
    assert verdict.reason is not None
    assert "gtt" in verdict.reason
    assert view.catalogue.templates["t-1"].cards[0].condition is not None
    assert view.next_offset == 2


def test_undecodable_config_is_refused() -> None:
    view, key = _view_with_template()
    verdict = view.fold(1, key, b"\x00garbage")
    assert verdict.change is None
    assert verdict.kind in ("truncated", "unknown_schema_id")
    assert "t-1" in view.catalogue.templates


def test_tombstone_deletes_and_bad_key_is_refused() -> None:
    view, key = _view_with_template()
    assert view.fold(1, b"nonsense", None).kind == "bad_key"
    deleted = view.fold(2, key, None)
    assert deleted.change is not None
    assert "t-1" not in view.catalogue.templates


def test_waiting_for_an_offset() -> None:
    async def scenario() -> None:
        view = CatalogueView(codec=CODEC)
        good = template_record("t-9", card("Influencer", leaf("job_title", "contains", "lead")))
        key = config_key_for(good.kind, good.id).encode()
        waiter = asyncio.ensure_future(view.reached(0))
        await asyncio.sleep(0)
        assert not waiter.done()
        await view.folded(0, key, CODEC.encode(good))
        verdict = await asyncio.wait_for(waiter, 1.0)
        assert verdict is not None
        assert verdict.change == good

    asyncio.run(scenario())
