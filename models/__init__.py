"""The data: SQLModel tables, the engine and session set-up, and migrations."""

from models.tables import (
    Assessment,
    IngestBatch,
    Meeting,
    Organization,
    QuarantinedRow,
    Rectification,
)

__all__ = [
    "Assessment",
    "IngestBatch",
    "Meeting",
    "Organization",
    "QuarantinedRow",
    "Rectification",
]
