"""`calibrate_references`: one calibration round, from every partition's raw scores.

A collect tick makes every account partition send its people's and groups' raw scores to the
one-partition calibration topic. When all partitions of a round have answered, the new references
(`state.scoring.calibration.calibrate`: the 99th percentile of non-zero raws, never below the
floor) go to every account partition as a calibration tick, and each emits, once, every score that
moves.

A first-calibration round (FIRST_COLLECT, asked every `BG_FIRST_CALIBRATION_INTERVAL_S`) calibrates
only a reference still at its floor, and only once at least `BG_FIRST_CALIBRATION_MIN_SCORES`
non-zero raws exist (`state.scoring.calibration.first_calibration`); a round that calibrates
nothing sends no tick. Partitions whose references are both calibrated answer it with no raws.
"""

from __future__ import annotations

import uuid

from state.model.account import GROUP_REFERENCE_FLOOR, PERSON_REFERENCE_FLOOR
from state.model.changes import TickKind
from state.scoring.calibration import (
    Reference,
    calibrate,
    first_calibration,
    initial_reference,
)
from streams.runtime.engine import Engine, guarded
from streams.runtime.internal import CalibrationRound, CalibrationSample, Tick
from streams.runtime.outputs import InputMessage
from streams.runtime.state_codec import decode_value, encode_value

NAME = "calibrate_references"
CURRENT_KEY = b"\x00current"


class Calibrator:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.emitter = engine.emitter.for_agent()
        self.rounds = engine.table("calibration-rounds", 1)
        self.ticks_topic = engine.settings.internal_topics.account_ticks

    async def handle(self, message: InputMessage) -> None:
        sample = decode_value(message.value or b"", CalibrationSample)
        key = sample.round_id.encode()
        stored = self.rounds.get(key)
        round_ = CalibrationRound(round_id=sample.round_id)
        if stored is not None:
            round_ = decode_value(stored, CalibrationRound)
        if any(s.partition == sample.partition for s in round_.samples):
            return
        samples = (*round_.samples, sample)
        if len(samples) < sample.partitions:
            self.rounds[key] = encode_value(
                CalibrationRound(round_id=round_.round_id, samples=samples)
            )
            return
        if stored is not None:
            del self.rounds[key]
        await self._publish(samples)

    async def _publish(self, samples: tuple[CalibrationSample, ...]) -> None:
        previous = self._current()
        person, group = self._calibrated(samples, previous)
        if samples[0].first and (person, group) == previous:
            return  # a first-calibration round that calibrates nothing has nothing to say
        at = max(s.at for s in samples)
        tick = Tick(
            tick_id=f"calibration-{samples[0].round_id}-{uuid.uuid4().hex[:8]}",
            kind=TickKind.CALIBRATION,
            at=at,
            person_reference=person,
            group_reference=group,
        )
        self.rounds[CURRENT_KEY] = encode_value(tick)
        partitions = self.engine.settings.partitions
        await self.engine.broadcast(self.ticks_topic, tick, partitions, self.emitter)

    def _calibrated(
        self, samples: tuple[CalibrationSample, ...], previous: tuple[Reference, Reference]
    ) -> tuple[Reference, Reference]:
        """The references after this round: a scheduled round recalibrates both; a first round
        only those still at their floor, once enough non-zero raws exist."""
        people = [r for s in samples for r in s.person_raws]
        groups = [r for s in samples for r in s.group_raws]
        if not samples[0].first:
            return (
                calibrate(people, PERSON_REFERENCE_FLOOR, previous[0]),
                calibrate(groups, GROUP_REFERENCE_FLOOR, previous[1]),
            )
        minimum = self.engine.settings.first_calibration_min_scores
        return (
            first_calibration(people, PERSON_REFERENCE_FLOOR, previous[0], minimum),
            first_calibration(groups, GROUP_REFERENCE_FLOOR, previous[1], minimum),
        )

    def _current(self) -> tuple[Reference, Reference]:
        stored = self.rounds.get(CURRENT_KEY)
        if stored is None:
            return initial_reference(PERSON_REFERENCE_FLOOR), initial_reference(
                GROUP_REFERENCE_FLOOR
            )
        tick = decode_value(stored, Tick)
        assert tick.person_reference is not None
        assert tick.group_reference is not None
        return tick.person_reference, tick.group_reference


def register(engine: Engine) -> None:
    calibrator = Calibrator(engine)

    async def handle(message: InputMessage) -> None:
        await guarded(
            engine, "calibrate_references", message, calibrator.handle, calibrator.emitter
        )

    engine.agent(
        NAME,
        engine.topic(engine.settings.internal_topics.calibration),
        handle,
        calibrator.emitter,
        tables=(calibrator.rounds,),
        waits_for_config=False,
    )
