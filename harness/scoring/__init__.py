"""Scoring: turning a run's records into numbers (a :class:`Scorecard`).

``stats`` holds the pure statistics; ``accumulate`` the one-pass folds;
``schema`` the persisted shape; ``scorecard`` building, reading and writing it.
"""

from harness.scoring.schema import SCORECARD_SCHEMA_VERSION, Scorecard
from harness.scoring.scorecard import build_scorecard, export_schema, load_scorecard, write_scorecard

__all__ = ["SCORECARD_SCHEMA_VERSION", "Scorecard", "build_scorecard", "export_schema", "load_scorecard",
           "write_scorecard"]
