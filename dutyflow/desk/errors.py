"""What the desk answers when it refuses a request."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dutyflow.desk.security import client_address

log = logging.getLogger("dutyflow.desk")


async def needs_login(request: Request, exc: Exception) -> Response:
    if request.method != "GET":
        return HTMLResponse("请先登录（log in first）：登录已过期或尚未登录，未记录任何决定。",
                            status_code=403)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)


async def bad_csrf(request: Request, exc: Exception) -> Response:
    log.warning("form without a valid CSRF token from %s to %s", client_address(request),
                request.url.path)
    return HTMLResponse("表单已过期或并非来自审核台，请刷新页面后重试（this form has expired "
                        "or did not come from the desk）。", status_code=403)
