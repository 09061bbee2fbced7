"""The province-scale benchmark (`python -m bench`), kept outside the product package."""

from __future__ import annotations

import importlib
from types import ModuleType

from bench.samples import SampleRows, sample_facts_with_history

# The evaluators are loaded on first use: zen-engine is a native library, and a worker process
# that does not compare evaluators should not carry it in its peak RSS.
_EVALUATOR_MODULES = ("decision_table", "pandas_reference")

__all__ = ["SampleRows", "decision_table", "pandas_reference", "sample_facts_with_history"]


def __getattr__(name: str) -> ModuleType:
    if name in _EVALUATOR_MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
