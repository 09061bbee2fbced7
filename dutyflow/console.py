"""Console logging that a user can read: one line per known error, no server start/stop chatter."""

from __future__ import annotations

import logging

from dutyflow.core.errors import DutyflowError

_NOISE = ("Starting temporary server", "Stopping temporary server", "View at ",
          "Beginning flow run", "Beginning subflow run")
# What Prefect's background services (events, API logs) print while the temporary server stops
# under load: a worker still draining, a connection refused, a cancelled consumer. The command
# has already said what it did; these lines would read as a crash after it.
_SHUTDOWN_NOISE = ("EventsWorker", "APILogWorker", "CancelledError", "Consumer.run",
                   "Still processing items", "Failed to send", "ConnectError",
                   "Connection refused", "All connection attempts failed")
# Prefect's queue services log under their class name (EventsWorker), not under "prefect."
_SHUTDOWN_LOGGERS = ("prefect.events", "prefect._internal.concurrency", "prefect.logging",
                     "prefect.client", "EventsWorker", "APILogWorker", "QueueService")


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
        if _is_shutdown_noise(record, message):
            return False
        if message.startswith(_NOISE) or message == "Finished in state Completed()" \
                or message.endswith("Finished in state Completed()"):
            return False
        if record.exc_info and isinstance(record.exc_info[1], DutyflowError):
            return False  # a refusal the user can act on: the CLI prints it once, in one line
        # Prefect repeats a task's exception as its run's and its flow's final state
        return not any(n in message for n in _refusal_names())


def _is_shutdown_noise(record: logging.LogRecord, message: str) -> bool:
    from dutyflow.flows import temporary_api

    if temporary_api.stopping and record.name.startswith(_SHUTDOWN_LOGGERS):
        return True
    text = message + (logging.Formatter().formatException(record.exc_info)
                      if record.exc_info else "")
    # a configured server's refusals are real: only a local server's going away is noise
    return temporary_api.local and any(n in text for n in _SHUTDOWN_NOISE) \
        and record.name.startswith(("prefect", *_SHUTDOWN_LOGGERS))


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
