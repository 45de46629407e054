"""Every table the engine's agents make has its changelog among the topics provisioned."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from streams.assembly import create_engine
from streams.ops.settings import Settings
from streams.runtime.provision import TABLES, changelog_topic, topic_specs


async def test_the_provisioned_changelogs_are_the_engine_tables_own(tmp_path: Path) -> None:
    settings = replace(Settings(), app_id="t-engine", partitions=3, data_dir=tmp_path)
    engine = create_engine(settings)
    tables = {table.name: table for table in engine.app.tables.values()}
    assert set(tables) == set(TABLES)
    specs = {spec.name: spec for spec in topic_specs(settings)}
    for name, table in tables.items():
        spec = specs[changelog_topic(settings.app_id, name)]
        assert table.changelog_topic.get_topic_name() == spec.name
        assert spec.partitions == table.partitions == (3 if TABLES[name] else 1)
        assert spec.config["cleanup.policy"] == "compact"
