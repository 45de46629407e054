"""Publish inputs to buying-groups with confluent-kafka (librdkafka) and its Avro serializer.

    python examples/integrating/confluent_producer.py --bootstrap 127.0.0.1:9092 \
        --registry http://127.0.0.1:8081/apis/ccompat/v7 --prefix bg \
        --account acc-42 --person per-7 --audience aud-1
    python examples/integrating/confluent_producer.py ... --account acc-42 --person per-7 \
        --add-as Influencer --solution-interest si-1

Publishes, for one account: the account, its entering an audience, one person and one activity
of that person; with `--add-as ROLE`, only a manual `add` command of that person in that role
(send it once the person is in the account: a command about a person the engine does not know
yet is refused, `unknown_person`, on the command-results topic). Each record has the schema of
`avro/self-contained/`, Confluent-framed with the id the registry gives that schema under the
engine's subject. Needs `pip install "confluent-kafka[avro]"`.
"""

from __future__ import annotations

import argparse
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from confluent_kafka import Producer
from confluent_kafka.schema_registry import SchemaRegistryClient, topic_record_subject_name_strategy
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

BUNDLE = Path(__file__).resolve().parents[2] / "avro" / "self-contained"


def schema_text(record: str) -> str:
    """The self-contained schema of `buying_groups.<record>`, as shipped in the bundle."""
    return (BUNDLE / f"buying_groups.{record}.avsc").read_text(encoding="utf-8")


Input = tuple[str, str, str, dict[str, Any]]  # topic suffix, record, key, value


def header() -> dict[str, Any]:
    """The fields every input has."""
    return {"event_id": str(uuid.uuid4()), "occurred_at": datetime.now(UTC)}


def inputs(account: str, person: str, audience: str) -> list[Input]:
    """One account's first inputs, in the order sent."""
    return [
        ("accounts", "AccountEvent", account,
         {**header(), "account_id": account, "name": "Initech", "country": "US"}),
        ("audience-memberships", "AudienceMembershipEvent", account,
         {**header(), "audience_id": audience, "account_id": account, "member": True}),
        ("persons", "PersonEvent", person,
         {**header(), "person_id": person, "account_id": account, "job_title": "VP Security",
          "country": "US", "email": f"{person}@example.com"}),
        ("activities", "ActivityEvent", person,
         {**header(), "activity_id": str(uuid.uuid4()), "person_id": person,
          "activity_type": "event_attended"}),
    ]  # fmt: skip


def add_command(account: str, solution_interest: str, person: str, role: str) -> Input:
    """A manual `add` of `person` to the account's group for `solution_interest`."""
    return ("commands", "MembershipCommand", account,
            {**header(), "command_id": str(uuid.uuid4()), "source": "manual", "actor": "user-1",
             "action": "add", "account_id": account, "solution_interest_id": solution_interest,
             "person_id": person, "role": role})  # fmt: skip


def serializer(registry: SchemaRegistryClient, record: str, topic: str) -> AvroSerializer:
    """The Confluent serializer of one record. `bg.commands` carries two record types, so its
    subjects are `<topic>-<record full name>` (TopicRecordNameStrategy); every other topic's
    subject is `<topic>-value`, the serializer's default."""
    config: dict[str, Any] = {}
    if topic.endswith(".commands"):
        config["subject.name.strategy"] = topic_record_subject_name_strategy
    return AvroSerializer(registry, schema_text(record), conf=config)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--registry", required=True)
    parser.add_argument("--prefix", default="bg")
    parser.add_argument("--account", required=True)
    parser.add_argument("--person", required=True)
    parser.add_argument("--audience", default="aud-1")
    parser.add_argument("--add-as", metavar="ROLE", help="only send an add command in this role")
    parser.add_argument("--solution-interest", default="si-1")
    args = parser.parse_args()
    # no request timeout by default: a stalled request would wait forever; 10 s, then a retry
    registry = SchemaRegistryClient({"url": args.registry, "timeout": 10})
    producer = Producer({
        "bootstrap.servers": args.bootstrap,
        "acks": "all",
        "enable.idempotence": True,
        # Any partitioner is safe; Java's murmur2 puts each record on the partition the engine
        # keeps its key's state in, so that no record takes the extra hop.
        "partitioner": "murmur2_random",
    })  # fmt: skip
    sent = (
        [add_command(args.account, args.solution_interest, args.person, args.add_as)]
        if args.add_as
        else inputs(args.account, args.person, args.audience)
    )
    try:
        for suffix, record, key, value in sent:
            topic = f"{args.prefix}.{suffix}"
            context = SerializationContext(topic, MessageField.VALUE)
            data = serializer(registry, record, topic)(value, context)
            producer.produce(topic, key=key.encode(), value=data)
            # one at a time: the example's records depend on each other's order
            if producer.flush(30) != 0:
                raise SystemExit(f"{record} not delivered to {topic}")
            print(f"produced {record} to {topic}, key {key}")
    finally:
        registry.close()


if __name__ == "__main__":
    main()
