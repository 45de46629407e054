"""What SREs read: Prometheus metrics, and the numbers behind /healthz and /readyz.

Counters by topic and reason, processing time and input age as histograms, and consumer lag per
topic-partition (computed when scraped: highwater minus the next offset to apply, from the
applying agent's ledger for the inputs applied in order, from the worker's position otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

SECONDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
BATCH_RECORDS = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500)


def _registry() -> CollectorRegistry:
    return CollectorRegistry(auto_describe=True)


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=_registry)

    def __post_init__(self) -> None:
        r = self.registry
        self.consumed = Counter(
            "bg_records_consumed", "Input records taken by an agent", ["topic"], registry=r
        )
        self.produced = Counter(
            "bg_records_produced", "Records sent, by topic", ["topic"], registry=r
        )
        self.dead_letters = Counter(
            "bg_dead_letters", "Inputs dead-lettered, by reason", ["reason"], registry=r
        )
        self.refusals = Counter(
            "bg_command_refusals", "Commands refused, by reason", ["reason"], registry=r
        )
        self.ignored = Counter(
            "bg_inputs_ignored", "Inputs the contract says to ignore (e.g. stale profiles)",
            ["reason"], registry=r,
        )  # fmt: skip
        self.processing = Histogram(
            "bg_processing_seconds", "Time to apply one input and send its outputs",
            ["agent"], buckets=SECONDS, registry=r,
        )  # fmt: skip
        self.batch_records = Histogram(
            "bg_batch_records", "Input records per batch an agent stored",
            ["agent"], buckets=BATCH_RECORDS, registry=r,
        )  # fmt: skip
        self.batch_store = Histogram(
            "bg_batch_store_seconds",
            "Time to store one batch: its outputs acknowledged, its state encoded and written",
            ["agent"], buckets=SECONDS, registry=r,
        )  # fmt: skip
        self.input_age = Histogram(
            "bg_input_age_seconds",
            "From the input's broker append time to the end of its processing",
            ["agent"], buckets=SECONDS, registry=r,
        )  # fmt: skip
        self.lag = Gauge(
            "bg_consumer_lag", "Records not yet applied, per topic-partition",
            ["topic", "partition"], registry=r,
        )  # fmt: skip
        self.caught_up = Counter(
            "bg_records_caught_up",
            "Input records the stream skipped or stalled on, read again from the broker",
            ["topic", "why"], registry=r,
        )  # fmt: skip
        self.settled = Counter(
            "bg_commit_offsets_settled",
            "Input offsets the input ledger had applied that the engine committed past itself"
            " (Faust had lost their acknowledgement, so its committed offset stood still)",
            ["topic"], registry=r,
        )  # fmt: skip
        self.forgotten = Counter(
            "bg_rebalance_records_forgotten",
            "Buffered records no agent had begun, not waited for at a rebalance (read again)",
            registry=r,
        )
        self.rerouted = Counter(
            "bg_inputs_rerouted",
            "Input records read on another partition than their state key's, moved there",
            ["topic"], registry=r,
        )  # fmt: skip
        self.key_mismatches = Counter(
            "bg_input_key_mismatches",
            "Input records whose Kafka key is not their own id (applied by the id)",
            ["topic", "reason"], registry=r,
        )  # fmt: skip
        self.rebalances = Counter("bg_rebalances", "Partition assignments received", registry=r)
        self.assigned = Gauge("bg_assigned_partitions", "Partitions this worker reads", registry=r)
        self.broker_up = Gauge(
            "bg_broker_reachable",
            "1 when this worker's last own connection check reached and authenticated to Kafka",
            registry=r,
        )
        self.broker_outages = Counter(
            "bg_broker_outages", "Times Kafka stopped answering this worker's check", registry=r
        )
