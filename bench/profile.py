"""Reading a py-spy profile (collapsed stacks: `frame;frame;... count` a line) into costs.

Each sample is charged to the innermost cost centre on its stack (the first, walking from the
leaf towards the root, whose marker appears in a frame), so pickling done inside the engine's
state codec counts as state encoding, not as `dataclasses`. Pure: the text in, numbers out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

# (name, markers): a frame containing any marker belongs to the centre.
COST_CENTRES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "account state pickled (state_codec.encode_value)",
        ("encode_value (streams/runtime/state_codec",),
    ),
    (
        "account state unpickled (state_codec.decode_value)",
        ("decode_value (streams/runtime/state_codec",),
    ),
    ("Avro encoding and decoding (events/codec)", ("(events/codec.py", "(fastavro/")),
    ("RocksDB table reads and writes (faust/stores)", ("(faust/stores/", "(rocksdict/")),
    ("domain rules (state/)", ("(state/",)),
    ("Kafka client (aiokafka)", ("(aiokafka/",)),
    ("engine glue (streams/)", ("(streams/",)),
    ("Faust streams, event loop (faust, mode, asyncio)", ("(faust/", "(mode/", "(asyncio/")),
)
OTHER = "other"


@dataclass(frozen=True, slots=True, kw_only=True)
class Cost:
    name: str
    samples: int
    share: float


def parse_collapsed(lines: Iterable[str]) -> list[tuple[tuple[str, ...], int]]:
    """(frames root first, samples) of each line; blank or malformed lines are skipped."""
    stacks: list[tuple[tuple[str, ...], int]] = []
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if stack and count.isdigit():
            stacks.append((tuple(stack.split(";")), int(count)))
    return stacks


def centre_of(frames: tuple[str, ...]) -> str:
    """The innermost cost centre on a stack (frames root first)."""
    for frame in reversed(frames):
        for name, markers in COST_CENTRES:
            if any(marker in frame for marker in markers):
                return name
    return OTHER


def costs(stacks: Iterable[tuple[tuple[str, ...], int]]) -> list[Cost]:
    """Samples per cost centre, biggest first, with their share of all samples."""
    charged: Counter[str] = Counter()
    for frames, samples in stacks:
        charged[centre_of(frames)] += samples
    total = sum(charged.values())
    return [
        Cost(name=name, samples=samples, share=samples / total if total else 0.0)
        for name, samples in charged.most_common()
    ]


def function_of(frame: str) -> str:
    """`encode_value (streams/runtime/state_codec.py:63)` ->
    `encode_value (streams/runtime/state_codec.py)`."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rpartition(':')[0] or where.rstrip(')')})"


def top_functions(
    stacks: Iterable[tuple[tuple[str, ...], int]], count: int = 10, within: tuple[str, ...] = ()
) -> tuple[list[Cost], list[Cost]]:
    """The `count` functions with most samples as the leaf (self time) and, among the functions
    whose frame contains one of `within` (all when empty), anywhere on the stack (inclusive)."""
    own: Counter[str] = Counter()
    anywhere: Counter[str] = Counter()
    total = 0
    for frames, samples in stacks:
        total += samples
        functions = [function_of(frame) for frame in frames]
        if functions:
            own[functions[-1]] += samples
        for function in set(functions):
            if not within or any(marker in function for marker in within):
                anywhere[function] += samples

    def ranked(counter: Counter[str]) -> list[Cost]:
        return [
            Cost(name=name, samples=n, share=n / total if total else 0.0)
            for name, n in counter.most_common(count)
        ]

    return ranked(own), ranked(anywhere)
