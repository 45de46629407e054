"""The Grafana dashboard queries only metrics the worker exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

from streams.ops.metrics import Metrics

DASHBOARD = Path(__file__).resolve().parents[2] / "ops" / "grafana-dashboard.json"


def exported_names() -> set[str]:
    names: set[str] = set()
    for family in Metrics().registry.collect():
        names.update(sample.name for sample in family.samples)
        names.update({family.name, f"{family.name}_total", f"{family.name}_bucket"})
    return names


def test_every_panel_queries_exported_metrics() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    exported = exported_names()
    queried = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"\bbg_[a-z_]+", target["expr"])
    }
    assert queried, "the dashboard queries something"
    assert queried <= exported, f"not exported: {sorted(queried - exported)}"
    assert "bg_consumer_lag" in queried
