"""Console logging that a user can read: one line per known error, no server start/stop chatter."""

from __future__ import annotations

import logging

from dutyflow.core.errors import DutyflowError

_NOISE = ("Starting temporary server", "Stopping temporary server", "View at ",
          "Beginning flow run", "Beginning subflow run")


def _refusal_names() -> set[str]:
    names, stack = set(), [DutyflowError]
    while stack:
        cls = stack.pop()
        names.add(cls.__name__)
        stack.extend(cls.__subclasses__())
    return names



class _QuietConsole(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith(_NOISE) or message == "Finished in state Completed()" \
                or message.endswith("Finished in state Completed()"):
            return False
        if record.exc_info and isinstance(record.exc_info[1], DutyflowError):
            return False  # a refusal the user can act on: the CLI prints it once, in one line
        # Prefect repeats a task's exception as its run's and its flow's final state
        return not any(n in message for n in _refusal_names())


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
