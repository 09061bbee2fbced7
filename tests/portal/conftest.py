"""The portal's harness: August's cycle run, the office's letters approved and issued (with
their PDFs, once per run), and accounts for two branches, a unit and a reviewer."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from dutyflow.core.settings import reload_settings
from dutyflow.core.vocabulary import MEASURE_KINDS
from dutyflow.models.db import dispose_engines
from tests.desk.conftest import (  # noqa: F401 (browser: the desk's fixture, used here)
    PASSWORD,
    SCREENSHOTS,
    browser,
    served_desk,
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
MONTH = "2026-08"
ISSUED_ON = date(2026, 9, 9)


@dataclass(frozen=True)
class Seed:
    db: Path
    out: Path
    mine: str  # the branch whose account is 一支部书记
    theirs: str  # another branch, of another unit
    unit: str  # mine's 直属党组织
    my_case: str  # an issued letter to mine that asks for an answer
    their_case: str  # one to theirs


def _env(patch: pytest.MonkeyPatch, url: str, folder: Path, *, pdf: bool = False) -> None:
    patch.setenv("DUTYFLOW_DATABASE_URL", url)
    patch.setenv("DUTYFLOW_OUTPUT_DIR", str(folder / "out"))
    patch.setenv("DUTYFLOW_PDF_VIEWS", "true" if pdf else "false")
    patch.setenv("DUTYFLOW_DESK_SECRET_FILE", str(folder / "desk-secret"))
    reload_settings()


def issue_month(*, pdf: bool) -> list[str]:
    """Run August's cycle, approve every letter the office decides alone, issue them; the
    issued cases that ask for an answer."""
    from dutyflow.flows.cycle import run_cycle
    from dutyflow.models.accountability import list_cases
    from dutyflow.models.db import session_scope
    from dutyflow.models.documents import record_decision
    from dutyflow.services.issuing import issue_approved

    run_cycle(period=MONTH, input_path=SAMPLES / f"{MONTH}-党建报表.xlsx")
    with session_scope() as session:
        cases = [c for c in list_cases(session=session, period=MONTH)
                 if not c.proposal and MEASURE_KINDS[c.measure].numbered]
        for case in cases:
            record_decision(session=session, document_id=case.id, decision="approve",
                            reviewer="张主任", note="")
    issue_approved(period=MONTH, on=ISSUED_ON, issued_by="张主任")
    with session_scope() as session:
        return sorted(c.id for c in list_cases(session=session, period=MONTH)
                      if c.follow_up == "awaiting_reply")


def add_accounts(mine: str, theirs: str, unit: str) -> None:
    from dutyflow.services.reviewers import add_reviewer

    add_reviewer(name="一支部书记", role="支部书记", password=PASSWORD, org_code=mine, kind="branch")
    add_reviewer(name="他支部书记", role="支部书记", password=PASSWORD, org_code=theirs,
                 kind="branch")
    add_reviewer(name="单位党务", role="党务干事", password=PASSWORD, org_code=unit, kind="unit")
    add_reviewer(name="李审核", role="组织部审核员", password=PASSWORD)


def choose(cases: list[str]) -> tuple[str, str, str, str, str]:
    """Two cases of branches under different units: (mine, theirs, unit, my case, their case)."""
    from dutyflow.models.db import session_scope
    from dutyflow.models.tables import Case, Organization

    with session_scope() as session:
        orgs = {c: session.get(Case, c).org_code for c in cases}
        parents = {o: session.get(Organization, o).parent_code for o in orgs.values()}
    first = cases[0]
    other = next(c for c in cases if parents[orgs[c]] != parents[orgs[first]])
    return orgs[first], orgs[other], parents[orgs[first]], first, other


@pytest.fixture(scope="session")
def portal_seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seed]:
    folder = tmp_path_factory.mktemp("portal-seed")
    with pytest.MonkeyPatch.context() as patch:
        _env(patch, f"sqlite:///{folder / 'dutyflow.db'}", folder, pdf=True)
        cases = issue_month(pdf=True)
        mine, theirs, unit, my_case, their_case = choose(cases)
        add_accounts(mine, theirs, unit)
        dispose_engines()
    reload_settings()
    yield Seed(folder / "dutyflow.db", folder / "out", mine, theirs, unit, my_case, their_case)


@pytest.fixture
def portal_db(portal_seed: Seed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Seed]:
    """A private copy of the seeded database and its documents (paths as the seed wrote them:
    the documents are read, answers are written under this test's folder)."""
    db = tmp_path / "dutyflow.db"
    shutil.copy(portal_seed.db, db)
    _env(monkeypatch, f"sqlite:///{db}", tmp_path)
    yield portal_seed
    dispose_engines()
    monkeypatch.undo()
    reload_settings()


@pytest.fixture
def client(portal_db: Seed):
    from fastapi.testclient import TestClient

    from dutyflow.desk.app import create_app

    with TestClient(create_app(), follow_redirects=False) as test_client:
        yield test_client


def token_for(name: str) -> dict[str, str]:
    from dutyflow.services.reviewers import new_token

    return {"Authorization": f"Bearer {new_token(name=name)}"}


@pytest.fixture
def portal_url(portal_db: Seed) -> Iterator[str]:
    """The desk, with its portal, served for real (uvicorn in a thread) on a free port."""
    with served_desk() as url:
        yield url


@pytest.fixture(params=[390, 1280], ids=["phone", "desktop"])
def phone(request: pytest.FixtureRequest):
    """A page 390 px wide (a phone: touch) or 1280 (an office PC), Chinese (the desk's
    browser fixture)."""
    chromium = request.getfixturevalue("browser")
    mobile = request.param < 800
    context = chromium.new_context(viewport={"width": request.param, "height": 844},
                                   locale="zh-CN", is_mobile=mobile, has_touch=mobile,
                                   device_scale_factor=2 if mobile else 1)
    context.set_default_timeout(15000)
    yield context.new_page()
    context.close()
