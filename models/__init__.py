"""The data: SQLModel tables, the engine and session set-up, and migrations."""

from dutyflow.models.tables import (
    Action,
    ActionEvent,
    Assessment,
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
    "Action",
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
