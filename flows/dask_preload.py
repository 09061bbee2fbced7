"""Loaded by each Dask worker of a LocalCluster as it starts (Dask's `preload`); the workers
of an existing cluster take it as `dask worker ADDRESS --preload dutyflow.flows.dask_preload`.

The shard tasks' modules (pandas, durable-rules, Prefect's task engine, the document writers
and their templates) take seconds to import; a worker that imports them as its cluster starts,
while the run is still ingesting, spends that time before its first shard arrives, not in it.
"""

from __future__ import annotations

import contextlib

import dutyflow.flows.evaluate  # noqa: F401
import dutyflow.flows.notices  # noqa: F401
import dutyflow.rules.engine  # noqa: F401
from dutyflow.documents.notice import env

# compiled once, as the first shard would; a broken layout is reported by drafting, not here
with contextlib.suppress(Exception):
    env().get_template("notice.html.j2")
