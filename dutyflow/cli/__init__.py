"""The `dutyflow` command line: one module per noun, laid out like Prefect's own `prefect.cli`.

`_app` holds the root app, `_options` the options every command shares (declared once),
`_utilities` the shared helpers (known errors as one line, the Prefect preparation, dates).
A command imports what it needs (pandas, Prefect, the flows) inside its function, so a
read-only command starts fast.
"""

from __future__ import annotations

# Importing a noun's module registers its commands; `dutyflow --help` lists them in this order.
# isort: off
from dutyflow.cli._app import app
from dutyflow.cli import cycle  # noqa: F401  ingest, sample, run
from dutyflow.cli import cases  # noqa: F401  actions, explain, cases
from dutyflow.cli import simulation  # noqa: F401  simulate
from dutyflow.cli import review  # noqa: F401  pending, review
from dutyflow.cli import documents  # noqa: F401  documents
from dutyflow.cli import issuing  # noqa: F401  issue
from dutyflow.cli import followup  # noqa: F401  reply, accept, return
from dutyflow.cli import warning  # noqa: F401  warn
from dutyflow.cli import scores  # noqa: F401  scores, explain-score, ranking, year
from dutyflow.cli import accounts  # noqa: F401  reviewer add/list/disable/enable
from dutyflow.cli import audit  # noqa: F401  audit
from dutyflow.cli import notify  # noqa: F401  notify
from dutyflow.cli import desk  # noqa: F401  desk
from dutyflow.cli import server  # noqa: F401  serve
from dutyflow.cli import ledger  # noqa: F401  ledger export
# isort: on

__all__ = ["app"]
