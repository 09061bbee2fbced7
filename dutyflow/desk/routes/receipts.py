"""签收 at the desk: the documents their addressees have not signed for within the policy's
working days (逾期未签收). Each document's own page shows all its addressees."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from dutyflow.desk.deps import CurrentReviewer, Page
from dutyflow.services.evaluate import current_policy
from dutyflow.services.portal import today
from dutyflow.services.receipts import overdue_receipts

router = APIRouter()


@router.get("/receipts")
def not_signed_for(request: Request, reviewer: CurrentReviewer, page: Page) -> HTMLResponse:
    policy = current_policy()
    on = today()
    return page(request, "receipts.html.j2", reviewer=reviewer, on=on,
                rows=overdue_receipts(on=on, policy=policy),
                days=policy.portal.sign_for_working_days)
