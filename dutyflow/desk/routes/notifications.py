"""通知发送情况: every notification of an issued document, sent, waiting for its next try, or
failed, with the error in Chinese."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from dutyflow.desk.deps import CurrentReviewer, Page
from dutyflow.services.notify import STATUS_WORDS, notifications

router = APIRouter()


@router.get("/notifications")
def notification_page(request: Request, reviewer: CurrentReviewer, page: Page,
                      status: str = "") -> HTMLResponse:
    status = status if status in STATUS_WORDS else ""
    rows, counts = notifications(statuses=(status,) if status else ())
    return page(request, "notifications.html.j2", reviewer=reviewer, rows=rows, counts=counts,
                status=status, words=STATUS_WORDS)
