"""A refused workbook ends with its refusal, never with a traceback: Prefect's temporary
server stops after the command's own output, and under load its shutdown (a cancelled
in-memory consumer, Prefect's events worker) used to print a traceback after the refusal."""

from __future__ import annotations

from tests.cli.processes import cpu_load, dutyflow


def test_a_refused_workbook_under_cpu_load_ends_with_the_refusal_alone(tmp_path):
    workbook = tmp_path / "2026-10-党建报表.xlsx"
    workbook.write_text("这不是工作簿", encoding="utf-8")
    with cpu_load():
        done = dutyflow(tmp_path, "run", "-i", str(workbook), "-p", "2026-10")
    assert done.returncode == 2, done.stderr
    assert "错误：" in done.stderr and "不是 Excel 工作簿" in done.stderr
    for noise in ("Traceback", "CancelledError", "EventsWorker", "Consumer.run"):
        assert noise not in done.stderr, done.stderr
        assert noise not in done.stdout, done.stdout
    # the refusal is the last thing the user reads
    assert done.stderr.strip().splitlines()[-1].startswith("错误：")
    # the server did start (the workbook was refused inside the flow) and wrote its own log
    assert (tmp_path / "prefect-home" / "dutyflow-server.log").exists()


def test_a_configured_server_s_refused_connections_are_shown(monkeypatch):
    """Only a local server's going away is noise: with a server the office configured, a
    refused connection Prefect's workers report reaches the console."""
    import logging

    from dutyflow.console import _QuietConsole
    from dutyflow.flows import temporary_api

    record = logging.LogRecord("prefect.events.clients", logging.WARNING, __file__, 1,
                               "ConnectError: All connection attempts failed", None, None)
    monkeypatch.setattr(temporary_api, "local", False)
    assert _QuietConsole().filter(record)
    monkeypatch.setattr(temporary_api, "local", True)
    assert not _QuietConsole().filter(record)
