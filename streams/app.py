"""The Faust application from the environment's settings: `faust -A streams.app worker`
(`buying-groups worker` builds it with `streams.assembly.create_engine` from its own options).

The topology (topics -> agents -> tables -> output topics -> Redis) is the README's picture.
"""

from __future__ import annotations

import faust

from streams.assembly import create_engine
from streams.ops.settings import current_settings

engine = create_engine(current_settings())
app: faust.App = engine.app
