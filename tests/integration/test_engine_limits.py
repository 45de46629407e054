"""The worker enforces the input bounds of its settings (BG_MAX_STRING_CHARS and the others):
a record beyond one is dead-lettered as too_large, naming the field, and the next one is used."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from events.codec import Codec
from events.records import AccountEvent, GroupLifecycle
from tests.integration.conftest import standard_config
from tests.integration.engine_harness import (
    Tenant,
    dead_letter_of,
    engine_worker,
    tenant_settings,
)
from tests.services import Service

pytestmark = pytest.mark.integration


async def test_a_value_beyond_the_configured_bound_is_dead_lettered(
    kafka: Service, tmp_path: Path
) -> None:
    settings = tenant_settings(kafka.address)
    tenant = Tenant(settings)
    await tenant.start()
    worker = engine_worker(settings, tmp_path)
    worker.env["BG_MAX_STRING_CHARS"] = "16"
    try:
        await tenant.publish(*standard_config())
        await worker.ready()
        now = datetime.now(UTC)
        long_name = AccountEvent(
            event_id="ae-1", occurred_at=now, account_id="acc-1", name="Initech Holdings Worldwide"
        )
        await tenant.publish(long_name)
        letter = await dead_letter_of(tenant, Codec().encode(long_name), b"acc-1")
        outputs = tenant.outputs
    finally:
        worker.stop()
        await tenant.stop()
    assert letter.error_kind == "too_large"
    assert "name" in letter.error_message
    assert "16" in letter.error_message
    assert not [r for r in outputs if isinstance(r, GroupLifecycle)]
