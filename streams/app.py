"""The Faust application from the environment's settings: `faust -A streams.app worker`
(`buying-groups worker` builds it with `streams.assembly.create_engine` from its own options).

topics (persons, activities)  -> route_people   -> internal.account-changes --+
topics (accounts, audiences, commands), internal.account-ticks  ---------------+-> track_groups
track_groups -> membership / score / stage / lifecycle / person-score / command-result topics,
                group snapshots (compacted), dead letters
bg.config -> every worker's catalogue view; track_config -> account ticks
leader timers -> ticks; track_groups -> internal.calibration -> calibrate_references -> ticks
output and profile topics -> project_read_model -> Redis (BG_READ_MODEL=on; else its own worker)
"""

from __future__ import annotations

import faust

from streams.assembly import create_engine
from streams.ops.settings import current_settings

engine = create_engine(current_settings())
app: faust.App = engine.app
