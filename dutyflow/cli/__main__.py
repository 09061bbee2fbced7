"""`python -m dutyflow.cli` (the service starts the desk this way)."""

from dutyflow.cli import app

app()
