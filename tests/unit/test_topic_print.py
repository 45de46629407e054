"""The pure part of `buying-groups print-topic`: options and JSON lines."""

from __future__ import annotations

import base64
import json

from events.codec import Codec
from events.decoding import Decoded, DecodeFailure
from streams.cli.main import build_parser
from streams.cli.topic_print import json_value, print_options, record_line
from streams.ops.settings import settings_from_env
from tests.golden.samples import SAMPLES

CODEC = Codec()


def test_a_decoded_record_is_one_json_line_with_its_fields() -> None:
    decoded = CODEC.decode(CODEC.encode(SAMPLES["BuyingGroupSnapshot"]))
    assert isinstance(decoded, Decoded)
    line = record_line(3, 42, b"acc-1/si-1", b"ignored", decoded)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["partition"] == 3
    assert parsed["offset"] == 42
    assert parsed["key"] == "acc-1/si-1"
    assert parsed["type"] == "BuyingGroupSnapshot"
    assert parsed["writer"] == "buying_groups.BuyingGroupSnapshot.v1"
    record = parsed["record"]
    assert record["members"] == [
        {
            "person_id": "p-1",
            "role": "champion",
            "source": "manual",
            "since": "2024-03-01T09:30:15.250000+00:00",
        }
    ]
    assert record["time_in_stage_ms"] == {"aware": 86_400_000}
    assert record["stage_entered_at"] == "2024-03-01T09:30:15.250000+00:00"


def test_nested_config_bodies_and_bytes_become_json() -> None:
    config = json_value(SAMPLES["ConfigRecord-roles_template"])
    assert config["kind"] == "roles_template"
    assert config["body"]["cards"][0]["conditions"]["children"][0]["values"] == ["VP", "Head"]
    letter = json_value(SAMPLES["DeadLetter"])
    assert base64.b64decode(letter["original_value"]) == b"\xc3\x01\x00"
    assert json_value(float("nan")) == "nan"


def test_an_undecodable_value_is_printed_with_its_failure_and_bytes() -> None:
    failure = CODEC.decode(b"garbage")
    assert isinstance(failure, DecodeFailure)
    parsed = json.loads(record_line(0, 7, b"\xff\xfe", b"garbage", failure))
    assert parsed["error"]["kind"] == "bad_marker"
    assert "67 61" in parsed["error"]["message"]
    assert base64.b64decode(parsed["value_base64"]) == b"garbage"
    assert parsed["key"] is None
    assert base64.b64decode(parsed["key_base64"]) == b"\xff\xfe"


def test_a_tombstone_is_printed_as_such() -> None:
    parsed = json.loads(record_line(1, 2, b"role:r1", None, None))
    assert parsed == {"partition": 1, "offset": 2, "key": "role:r1", "tombstone": True}


def test_both_names_of_the_command_parse_the_same_options() -> None:
    parser = build_parser()
    for name in ("print-topic", "tail"):
        args = parser.parse_args([name, "persons", "--prefix", "staging", "--max-records", "5"])
        options = print_options(args, settings_from_env({"KAFKA_BOOTSTRAP_SERVERS": "kafka:9092"}))
        assert options.topic == "staging.persons"
        assert options.bootstrap == "kafka:9092"
        assert options.max_records == 5
        assert options.from_beginning is False
        assert options.schema_registry is None


def test_full_topic_names_and_explicit_bootstrap_win() -> None:
    args = build_parser().parse_args(
        ["tail", "other.topic", "--bootstrap", "h:1", "--from-beginning", "--timeout", "2.5"]
    )
    options = print_options(args, settings_from_env({"KAFKA_BOOTSTRAP_SERVERS": "kafka:9092"}))
    assert options.topic == "other.topic"
    assert options.bootstrap == "h:1"
    assert options.from_beginning is True
    assert options.timeout_s == 2.5
    assert print_options(args, settings_from_env({})).bootstrap == "h:1"
    default = build_parser().parse_args(["tail", "score-changes"])
    assert print_options(default, settings_from_env({})).topic == "bg.score-changes"
    assert print_options(default, settings_from_env({})).bootstrap == "127.0.0.1:9092"


def test_the_consumer_uses_the_security_settings_of_the_environment() -> None:
    args = build_parser().parse_args(["tail", "persons", "--bootstrap", "h:1"])
    env = {
        "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "KAFKA_SASL_USERNAME": "bg",
        "KAFKA_SASL_PASSWORD": "secret",
    }
    options = print_options(args, settings_from_env(env))
    assert options.client["bootstrap_servers"] == "h:1"
    assert options.client["security_protocol"] == "SASL_PLAINTEXT"
    assert options.client["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options.client["sasl_plain_username"] == "bg"
    assert "secret" not in repr(options), "the password stays out of logs"
