"""The data: SQLModel tables, the engine and session set-up, and migrations."""

from dutyflow.models.tables import (
    Assessment,
    Case,
    Document,
    DocumentCase,
    DocumentCounter,
    EvaluationRun,
    Event,
    Finding,
    IngestBatch,
    Meeting,
    Organization,
    QuarantinedRow,
    Rectification,
)

__all__ = [
    "Case",
    "Assessment",
    "DocumentCounter",
    "EvaluationRun",
    "Finding",
    "IngestBatch",
    "Document",
    "DocumentCase",
    "Event",
    "Meeting",
    "Organization",
    "QuarantinedRow",
    "Rectification",
]
