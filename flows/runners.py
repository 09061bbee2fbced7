"""The task runner for sharded stages: Dask when configured, else Prefect's default threads."""

from __future__ import annotations

from typing import Any

from prefect.task_runners import ThreadPoolTaskRunner

from dutyflow.core.settings import settings


def shard_count() -> int:
    if settings.shards > 0:
        return settings.shards
    if settings.dask_address or settings.dask_workers > 0:
        return 2 * max(1, settings.dask_workers or 2)
    return 1


def sharded_task_runner() -> Any:
    """DaskTaskRunner on `dask_address` or a LocalCluster; one thread per worker process,
    because durable-rules keeps process-global state that is not thread-safe."""
    if settings.dask_address or settings.dask_workers > 0:
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": settings.dask_workers,
                                              "threads_per_worker": 1, "processes": True,
                                              "dashboard_address": None})
    return ThreadPoolTaskRunner(max_workers=1)
