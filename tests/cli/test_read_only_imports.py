"""The commands that only read answer at once: they import neither Prefect nor pandas (nor
argon2, nor Alembic once the database is at the newest migration), so a user reading cases,
scores or the audit log waits for the database, not for imports."""

from __future__ import annotations

import json
import sys

import pytest

from dutyflow.flows.cycle import run_cycle
from tests.cli.processes import command_env
from tests.flows.test_chasing import SAMPLES

# Runs the command as `dutyflow` does, then writes the top-level packages it imported
RUNNER = """
import json, sys
out, sys.argv = sys.argv[1], ["dutyflow", *sys.argv[2:]]
from dutyflow.cli import app
try:
    app()
finally:
    with open(out, "w") as f:
        json.dump(sorted({m.split(".")[0] for m in sys.modules}), f)
"""
HEAVY = {"prefect", "pandas", "numpy", "argon2", "alembic", "jinja2", "docx", "openpyxl",
         "durable", "dask", "fastapi", "httpx", "limits", "jieba"}
READ_ONLY = [["cases", "-p", "2026-10"], ["actions", "-p", "2026-10"],
             ["actions", "-p", "2026-10", "--json"], ["scores", "-p", "2026-10"],
             ["pending"], ["documents", "-p", "2026-10"], ["audit", "-p", "2026-10"]]


@pytest.fixture
def demo_month(db_url):
    """The demo's October, run as `dutyflow run` runs it."""
    run_cycle(period="2026-10", input_path=SAMPLES / "2026-10-党建报表.xlsx")
    return db_url


@pytest.mark.parametrize("command", READ_ONLY, ids=" ".join)
def test_a_read_only_command_imports_only_what_it_uses(demo_month, tmp_path, command):
    import subprocess

    imported = tmp_path / "imported.json"
    done = subprocess.run([sys.executable, "-c", RUNNER, str(imported), *command],
                          env=command_env(tmp_path, DUTYFLOW_DATABASE_URL=demo_month),
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "2026-10" in done.stdout or command == ["pending"] or "--json" in command
    if "--json" in command:
        assert {c["period"] for c in json.loads(done.stdout)} == {"2026-10"}
    loaded = set(json.loads(imported.read_text()))
    assert "dutyflow" in loaded and "sqlalchemy" in loaded  # it did read the database
    assert not loaded & HEAVY, sorted(loaded & HEAVY)


def test_the_head_check_names_the_revision_alembic_calls_head():
    """The cheap check (the newest migration file's number) agrees with Alembic's own head,
    so a database it calls current really is."""
    from alembic.script import ScriptDirectory

    from dutyflow.models.db import alembic_config, newest_revision

    assert ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() \
        == newest_revision()


def test_a_database_behind_the_newest_migration_is_still_upgraded(db_url):
    """Skipping Alembic only at head: a database one migration behind is brought up."""
    from alembic import command
    from sqlalchemy import text

    from dutyflow.models.db import (
        alembic_config,
        dispose_engines,
        get_engine,
        newest_revision,
        session_scope,
    )

    with session_scope():
        pass
    command.downgrade(alembic_config(db_url), "-1")
    dispose_engines()
    with session_scope():
        pass
    with get_engine().connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() \
            == newest_revision()


def test_the_cycle_leaves_issuing_and_the_portal_unimported(tmp_path):
    """A `dutyflow run` imports the cycle's flow module; what only issuing (numbering, PDFs,
    rankings' workbooks) and the portal use stays out, so a re-run of a month starts sooner."""
    import subprocess

    script = ("import json, sys; import dutyflow.flows.cycle; "
              "print(json.dumps(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", script], env=command_env(tmp_path),
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout))
    assert "dutyflow.flows.cycle" in loaded and "prefect" in loaded
    unwanted = {"openpyxl", "dutyflow.services.issuing", "dutyflow.services.portal",
                "dutyflow.services.ranking", "dutyflow.documents.pdf", "argon2"}
    assert not loaded & unwanted, sorted(loaded & unwanted)
