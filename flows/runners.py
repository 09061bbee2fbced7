"""Where sharded stages run their shards: Dask when configured, else Prefect's threads."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from prefect.task_runners import ThreadPoolTaskRunner

from dutyflow.core.settings import settings


def shard_count(runner: Any = None) -> int:
    """Shards for a sharded stage: `shards` when set; else two per worker thread of the
    cluster `runner` is connected to (an existing cluster of 64 workers gets 128 shards, not a
    fixed handful), two per LocalCluster worker, or one without Dask."""
    if settings.shards > 0:
        return settings.shards
    if settings.dask_address:
        threads = 0
        if runner is not None and hasattr(runner, "client"):
            threads = sum(runner.client.nthreads().values())
        return 2 * max(1, threads or settings.dask_workers or 2)
    if settings.dask_workers > 0:
        return 2 * settings.dask_workers
    return 1


class _LocalDask:
    """A Dask LocalCluster started in the background the moment a run opens it, and its task
    runner entered on first use: its workers (each importing dutyflow and Prefect, seconds)
    start while the run ingests, instead of in front of the first sharded stage."""

    def __init__(self, stack: ExitStack) -> None:
        self._stack = stack
        self._runner: Any = None
        self._error: BaseException | None = None
        self._cluster: Any = None
        self._thread = threading.Thread(target=self._start, name="dutyflow-dask", daemon=True)
        self._thread.start()

    def _start(self) -> None:
        try:
            from distributed import LocalCluster

            self._cluster = LocalCluster(n_workers=settings.dask_workers, threads_per_worker=1,
                                         processes=True, dashboard_address=None,
                                         preload=["dutyflow.flows.dask_preload"])
        except BaseException as exc:  # raised where the runner is first used
            self._error = exc

    def runner(self) -> Any:
        if self._runner is None:
            self._thread.join()
            if self._error is not None:
                raise self._error
            from prefect_dask import DaskTaskRunner

            self._stack.callback(self._cluster.close)
            self._runner = self._stack.enter_context(
                DaskTaskRunner(address=self._cluster.scheduler_address))
        return self._runner

    def close_unused(self) -> None:
        """A cluster the run never used is still shut down."""
        if self._runner is None:
            self._thread.join()
            if self._error is None:
                self._cluster.close()

    def map(self, task: Any, parameters: dict[str, Any]) -> Any:
        return self.runner().map(task, parameters)


@contextmanager
def shard_runner() -> Iterator[Any]:
    """A task runner for the shards of every sharded stage of a run, opened once: a cycle
    opens it before it ingests, so its stages share one Dask cluster that started meanwhile.
    Dask on `dask_address`, or on a LocalCluster of `dask_workers` processes with one thread
    each, because durable-rules keeps process-global state that is not thread-safe; else
    Prefect's threads, one shard at a time. Stages call its `map(task, parameters)`."""
    if settings.dask_address:
        from prefect_dask import DaskTaskRunner

        with DaskTaskRunner(address=settings.dask_address) as runner:
            yield runner
        return
    if settings.dask_workers > 0:
        with ExitStack() as stack:
            local = _LocalDask(stack)
            try:
                yield local
            finally:
                local.close_unused()
        return
    with ThreadPoolTaskRunner(max_workers=1) as threads:
        yield threads
