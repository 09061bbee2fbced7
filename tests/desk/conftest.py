"""The desk's harness: one month of cases drafted once per run, copied for each test, reviewer
accounts, and the desk served by uvicorn on a free port for the browser."""

from __future__ import annotations

import contextlib
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from dutyflow.core.settings import reload_settings
from dutyflow.models.db import dispose_engines, get_engine
from tests.factories import LATE_ITEM, sample_with_rows

PASSWORD = "correct-horse-battery"
# DW0001-ZB01 carries the proposal (通报批评); 赵书记's own branch is DW0004-ZB07
OWN_BRANCH = "DW0004-ZB07"
XSS_NAME = "<script>alert('x')</script>测试支部"


@dataclass(frozen=True)
class Seed:
    db: Path
    out: Path


def _settings_env(monkeypatch: pytest.MonkeyPatch, db: Path, folder: Path) -> None:
    monkeypatch.setenv("DUTYFLOW_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("DUTYFLOW_OUTPUT_DIR", str(folder / "out"))
    monkeypatch.setenv("DUTYFLOW_PDF_VIEWS", "false")
    monkeypatch.setenv("DUTYFLOW_DESK_SECRET_FILE", str(folder / "desk-secret"))
    reload_settings()


@pytest.fixture(scope="session")
def desk_seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seed]:
    """August's cases (one a proposal), drafted by a real cycle run, with reviewer accounts."""
    from dutyflow.flows.cycle import run_cycle
    from dutyflow.services.reviewers import add_reviewer

    folder = tmp_path_factory.mktemp("desk-seed")
    with pytest.MonkeyPatch.context() as patch:
        _settings_env(patch, folder / "dutyflow.db", folder)
        run_cycle(period="2026-08", input_path=sample_with_rows(folder, "2026-08", "整改", [LATE_ITEM]))
        add_reviewer(name="李审核", role="组织部审核员", password=PASSWORD)
        add_reviewer(name="赵书记", role="兼职审核员", password=PASSWORD, org_code=OWN_BRANCH)
        add_reviewer(name="单点登录", role="审核员", password=None)
        with get_engine().begin() as conn:
            conn.execute(text("UPDATE organization SET org_name = :n WHERE org_code = 'DW0002-ZB08'"),
                         {"n": XSS_NAME})
        dispose_engines()
    reload_settings()
    yield Seed(folder / "dutyflow.db", folder / "out")


@pytest.fixture
def desk_db(desk_seed: Seed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private copy of the seeded database (the drafts are shared, read only)."""
    db = tmp_path / "dutyflow.db"
    shutil.copy(desk_seed.db, db)
    _settings_env(monkeypatch, db, tmp_path)
    yield db
    dispose_engines()
    monkeypatch.undo()
    reload_settings()


@pytest.fixture
def client(desk_db: Path):
    from fastapi.testclient import TestClient

    from dutyflow.desk.app import create_app

    with TestClient(create_app(), follow_redirects=False) as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def served_desk() -> Iterator[str]:
    """The desk (with its portal) served for real, uvicorn in a thread, on a free port."""
    import uvicorn

    from dutyflow.desk.app import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the desk did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def desk_url(desk_db: Path) -> Iterator[str]:
    """The desk served for real (uvicorn in a thread) on a free port."""
    with served_desk() as url:
        yield url


CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, headless, driven by Playwright (never `playwright install`).

    Module scope: while Playwright's sync API is open it holds an event loop in this thread,
    and Prefect would then hand later tests coroutines instead of flow results."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15000)
    yield context.new_page()
    context.close()
