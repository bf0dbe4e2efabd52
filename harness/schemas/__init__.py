"""JSON Schemas of every file format the harness reads or writes.

The ``*.schema.json`` files beside this module are generated from the pydantic
models by ``python -m harness.schemas`` and shipped with the package; a test
checks they are up to date.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent
NAMES = ("case", "record", "manifest", "scorecard", "eval", "rubric", "diff", "calibration", "labels", "pairwise", "gates")


def _model(name: str):
    if name == "case":
        from harness.datasets.schema import Case as model
    elif name == "record":
        from harness.records.schema import Record as model
    elif name == "manifest":
        from harness.records.schema import Manifest as model
    elif name == "scorecard":
        from harness.scoring.scorecard import Scorecard as model
    elif name == "diff":
        from harness.compare.schema import DiffReport as model
    elif name == "calibration":
        from harness.calibration.schema import CalibrationReport as model
    elif name == "labels":
        from harness.calibration.labels import HumanLabel as model
    elif name == "pairwise":
        from harness.pairwise.schema import PairwiseReport as model
    elif name == "eval":
        from harness.config.evalfile import EvalSpec as model
    elif name == "gates":
        from harness.gates.schema import GatesFile as model
    else:
        from harness.judges.rubric import Rubric as model
    return model


def generate(name: str) -> dict:
    """The JSON Schema of format ``name``, generated from its pydantic model."""
    return _model(name).model_json_schema()


def schema_of(name: str) -> dict:
    """The shipped JSON Schema of format ``name``."""
    return json.loads((HERE / f"{name}.schema.json").read_text(encoding="utf-8"))


def export_all() -> list[Path]:
    paths = []
    for name in NAMES:
        path = HERE / f"{name}.schema.json"
        path.write_text(json.dumps(generate(name), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
