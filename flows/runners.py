"""Where sharded stages run their shards: Dask when configured, else Prefect's threads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prefect.task_runners import ThreadPoolTaskRunner

from dutyflow.core.settings import settings


def shard_count() -> int:
    if settings.shards > 0:
        return settings.shards
    if settings.dask_address or settings.dask_workers > 0:
        return 2 * max(1, settings.dask_workers or 2)
    return 1


@contextmanager
def shard_runner() -> Iterator[Any]:
    """A started task runner for the shards of every sharded stage of a run: a cycle opens
    one, so its stages share one Dask cluster (a LocalCluster takes seconds to start, and
    its workers keep their rule engine warm). Dask on `dask_address`, or on a LocalCluster of
    `dask_workers` processes with one thread each, because durable-rules keeps process-global
    state that is not thread-safe; else Prefect's threads, one shard at a time."""
    if settings.dask_address or settings.dask_workers > 0:
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            with DaskTaskRunner(address=settings.dask_address) as runner:
                yield runner
            return
        from distributed import LocalCluster

        with LocalCluster(n_workers=settings.dask_workers, threads_per_worker=1,
                          processes=True, dashboard_address=None) as cluster, \
                DaskTaskRunner(address=cluster.scheduler_address) as runner:
            yield runner
        return
    with ThreadPoolTaskRunner(max_workers=1) as threads:
        yield threads
