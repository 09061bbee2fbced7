"""Console logging that a user can read: one line per known error, no server start/stop chatter."""

from __future__ import annotations

import logging

from dutyflow.errors import DutyflowError

_NOISE = ("Starting temporary server", "Stopping temporary server")


class _QuietConsole(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith(_NOISE):
            return False
        if record.exc_info and isinstance(record.exc_info[1], DutyflowError):
            # A refusal the user can act on: the message says it all, a traceback would bury it.
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_console() -> None:
    """Attach the filter to every console handler Prefect set up (idempotent)."""
    import prefect.main  # noqa: F401  (importing it configures Prefect's logging)

    loggers = [logging.getLogger(), *(
        logging.getLogger(name) for name in list(logging.Logger.manager.loggerDict)
        if name.startswith("prefect")
    )]
    for logger in loggers:
        for handler in logger.handlers:
            if isinstance(handler, logging.StreamHandler) and not any(
                isinstance(f, _QuietConsole) for f in handler.filters
            ):
                handler.addFilter(_QuietConsole())
