"""A reviewer's own work: what waits for me (待我审核), what I decided this week."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from dutyflow.core.settings import settings
from dutyflow.desk.deps import CurrentReviewer, Page
from dutyflow.services.my_work import my_work

router = APIRouter()


@router.get("/mine")
def mine(request: Request, reviewer: CurrentReviewer, page: Page) -> HTMLResponse:
    return page(request, "mine.html.j2", reviewer=reviewer, work=my_work(reviewer),
                all_units=settings.office.all_units)
