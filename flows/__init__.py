"""Orchestration only: Prefect flows and tasks wiring ingest, rules, documents and storage."""
