"""Whether the desk is up (for the service manager and the proxy). Answered on the event loop,
without a worker thread: it answers even while every thread is busy."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
