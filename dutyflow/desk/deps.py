"""What the desk's routes depend on: the signed-in reviewer, a form that carries the session's
CSRF token, and the page renderer (one Jinja2 environment, made when the app is)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from dutyflow.core.calendar import HolidayFileError, calendar_warnings, local_time
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import document_name, event_words, measure_name, status_words
from dutyflow.desk.security import check_form_csrf, csrf_token, reviewer_of, take_flashes
from dutyflow.models.documents import actor_words
from dutyflow.services.casefile import MEASURES
from dutyflow.services.reviewers import Reviewer

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "desk"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
KEPT_FIELDS = frozenset({"decision", "note", "ref"})


# an A4 notice page (210 mm at 96 dpi) with its margins: the desk scales it to fit its frame
A4_FRAME_PX = 840


def current_reviewer(request: Request) -> Reviewer:
    """The signed-in reviewer, re-checked on every request; NeedsLogin for anyone else."""
    return reviewer_of(request)


CurrentReviewer = Annotated[Reviewer, Depends(current_reviewer)]
# for a route that needs someone signed in but not who: `dependencies=[SignedIn]`
SignedIn = Depends(current_reviewer)


async def checked_form(request: Request) -> None:
    """Every form sent to the desk carries this session's CSRF token in its `csrf` field.

    The app depends on this for every route, so no POST can forget it: a request that is not a
    plain read is refused (BadCsrf, 403) before its handler runs unless its form's token is the
    session's."""
    if request.method not in SAFE_METHODS:
        await check_form_csrf(request)


class PageRenderer:
    """The desk's one Jinja2 environment and how a page is drawn with it."""

    def __init__(self, folder: Path = TEMPLATES) -> None:  # the portal draws its own folder
        self.env = Environment(
            loader=ChoiceLoader([FileSystemLoader(str(folder)),  # then the parts both share
                                 FileSystemLoader(str(TEMPLATES.parent))]),
            autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
            trim_blocks=True, lstrip_blocks=True)
        self.env.globals.update(measure_name=measure_name, status_words=status_words,
                                event_words=event_words, document_name=document_name,
                                actor_words=actor_words,
                                MEASURES=MEASURES, issuer=settings.office.issuer_name,
                                A4_FRAME_PX=A4_FRAME_PX)
        self.env.filters["local"] = lambda moment: local_time(moment).strftime("%Y-%m-%d %H:%M:%S")

    def __call__(self, request: Request, template: str, *, status_code: int = 200,
                 headers: Mapping[str, str] | None = None, **context: Any) -> HTMLResponse:
        messages = take_flashes(request)
        # what a reviewer typed before their login expired, given back to the form it left
        kept = {kind: text for kind, text in messages if kind in KEPT_FIELDS}
        body = self.env.get_template(template).render(
            request=request, csrf=csrf_token(request), nonce=request.state.nonce,
            flashes=[m for m in messages if m[0] not in KEPT_FIELDS], kept=kept,
            calendar_warnings=_calendar_banner(), **context)
        return HTMLResponse(body, status_code=status_code, headers=headers)

    def error(self, request: Request, *, status_code: int, title: str, message: str,
              headers: Mapping[str, str] | None = None) -> HTMLResponse:
        """An error page in plain Chinese: what happened, the way back to the queue, and the
        login for someone not signed in."""
        return self(request, "error.html.j2", status_code=status_code,
                    headers=headers, reviewer=signed_in(request), title=title,
                    message=message, status=status_code)


def _calendar_banner() -> list[str]:
    """Years ahead whose holidays are estimated, or why the holiday file cannot be read: the
    deadlines the desk's documents print depend on it."""
    try:
        return calendar_warnings(local_time(datetime.now(UTC)).date())
    except HolidayFileError as exc:
        return [str(exc)]


def signed_in(request: Request) -> Reviewer | None:
    """Who is signed in, for a page that does not require it (an error page): no one if that
    cannot be told, whatever the reason (the database may be why this is an error page)."""
    try:
        return reviewer_of(request)
    except Exception:
        return None


def page_renderer(request: Request) -> PageRenderer:
    renderer: PageRenderer = request.app.state.pages
    return renderer


Page = Annotated[PageRenderer, Depends(page_renderer)]
