"""The data: SQLModel tables, the engine and session set-up, and migrations."""

from dutyflow.models.tables import (
    ActionEvent,
    Assessment,
    Case,
    DocumentCounter,
    EvaluationRun,
    Finding,
    IngestBatch,
    IssuedDocument,
    Meeting,
    Organization,
    QuarantinedRow,
    Rectification,
)

__all__ = [
    "Case",
    "ActionEvent",
    "Assessment",
    "DocumentCounter",
    "EvaluationRun",
    "Finding",
    "IngestBatch",
    "IssuedDocument",
    "Meeting",
    "Organization",
    "QuarantinedRow",
    "Rectification",
]
