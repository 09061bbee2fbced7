"""The scaling model: the serial part does not shrink with workers, the parallel part does, and
the overhead grows with the shards (two per worker)."""

from __future__ import annotations

import pytest

from bench.scale_model import predict

MEASURED = {"organizations": 10_000, "serial_s": 10.0, "serial_writes_s": 4.0,
            "parallel_s": 20.0, "rows_loaded": 100_000, "bytes_per_org": 3_000.0,
            "serialising_s_per_mb": 0.02, "overhead_per_task_s": 0.01, "warm_up_s": 1.0}


def test_the_serial_part_stays_and_the_parallel_part_divides_among_the_workers():
    small, large = predict(MEASURED, {"one_stream_rows_s": 50_000.0}, 1_000_000, [10, 20])
    assert small["serial_s"] == large["serial_s"] == pytest.approx(1_000.0)
    assert small["writes_s"] == pytest.approx(400.0)
    assert small["copy_floor_s"] == pytest.approx(10_000_000 / 50_000)
    assert small["parallel_s"] == pytest.approx(200.0)
    assert large["parallel_s"] == pytest.approx(100.0)
    # 4 tasks a worker (two stages, two shards each), 3,000 MB pickled, one warm-up
    assert small["overhead_s"] == pytest.approx(40 * 0.01 + 3_000 * 0.02 + 1.0)
    assert large["overhead_s"] - small["overhead_s"] == pytest.approx(40 * 0.01)
    assert large["total_s"] == pytest.approx(1_000.0 + 100.0 + large["overhead_s"])
