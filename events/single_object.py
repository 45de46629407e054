"""Avro single-object encoding: 0xC3 0x01, the schema's 8-byte fingerprint, then the body.

See the Avro specification, "Single-object encoding". The fingerprint is the CRC-64-AVRO
(Rabin) fingerprint of the schema's Parsing Canonical Form, little-endian.
"""

from __future__ import annotations

from dataclasses import dataclass

MARKER = b"\xc3\x01"
HEADER_SIZE = len(MARKER) + 8


@dataclass(frozen=True, slots=True, kw_only=True)
class SingleObject:
    """The parts of a single-object encoded value."""

    fingerprint: bytes
    body: bytes


def frame(fingerprint: bytes, body: bytes) -> bytes:
    """The single-object encoding of `body`, written with the schema of `fingerprint`."""
    return MARKER + fingerprint + body


def is_single_object(data: bytes) -> bool:
    """Whether `data` starts with the single-object marker (or, cut short, a part of it)."""
    return bool(data) and MARKER.startswith(data[: len(MARKER)])


def unframe(data: bytes) -> SingleObject | None:
    """The fingerprint and body of `data`; None when it is too short to hold the header."""
    if len(data) < HEADER_SIZE or data[: len(MARKER)] != MARKER:
        return None
    return SingleObject(fingerprint=data[len(MARKER) : HEADER_SIZE], body=data[HEADER_SIZE:])
