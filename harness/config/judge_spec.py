"""The judge block of an eval file: one judge model with its call settings, or a panel of several."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from harness.calibration.schema import CalibrationGateSpec
from harness.config.candidates import CallSettings
from harness.models.base import EMBEDDED_MODEL, DeploymentSpec, RoutingSpec


class ModelFields(CallSettings):
    """A model and its call settings: judges and panellists."""

    model: str = Field(min_length=1, description="litellm form (openai/gpt-4o-mini, ollama_chat/llama3.1, ...) "
                                                 f"or {EMBEDDED_MODEL}")
    deployments: list[DeploymentSpec] = Field(default_factory=list, description="Several deployments of this "
                                              "model, spread over by litellm's Router (`model` is then a label).")
    routing: RoutingSpec = Field(default_factory=RoutingSpec, description="How calls spread over `deployments`.")


class PanellistSpec(ModelFields):
    """One judge model of a panel, with its own call settings."""

    name: str | None = Field(None, min_length=1, pattern=r"^[A-Za-z0-9_.:@/+-]+$",
                             description="Names its verdicts in records and scorecards (default: the model name).")

    @property
    def label(self) -> str:
        return self.name or self.model


class JudgeSpec(ModelFields):
    """One judge model (``model`` and its settings), or a ``panel`` of several, on one rubric."""

    model: str | None = Field(None, min_length=1, description="litellm form (openai/gpt-4o-mini, ollama_chat/llama3.1, "
                                                              f"...) or {EMBEDDED_MODEL}; or give `panel`")
    rubric: str | dict[str, Any] = Field(description=(
        "Path of a rubric YAML file, or the rubric itself written here (a mapping as in a rubric file; `id` "
        "defaults to the eval's name and `version` to \"1\"); validated where the judge is built."))

    @field_validator("rubric")
    @classmethod
    def _rubric_named(cls, value: str | dict[str, Any]) -> str | dict[str, Any]:
        if isinstance(value, str) and not value.strip():
            raise ValueError("give a rubric file's path, or the rubric itself (a mapping with `criteria`)")
        return value
    criteria: list[str] | None = Field(None, description="Only these criteria of the rubric.")
    max_attempts: int = Field(2, ge=1, le=10, description="Asks per criterion before a judge error is recorded.")
    epochs: int = Field(1, ge=1, le=100, description="Times each criterion is asked; the answers are reduced.")
    reducer: Literal["mean", "median", "majority"] = Field("mean", description="How judge epochs reduce.")
    calibration: CalibrationGateSpec | None = Field(None, description="Agreement gate against human labels: "
                                                    "criteria below the bar are marked uncalibrated.")
    panel: list[PanellistSpec] | None = Field(None, min_length=2, description="Several judge models grading every "
                                              "criterion; their verdicts are aggregated (instead of `model`).")
    aggregate: Literal["mean", "median", "majority"] = Field("mean", description="How a panel's verdicts "
                                                             "aggregate per criterion.")

    @field_validator("panel")
    @classmethod
    def _distinct_panellists(cls, value: list[PanellistSpec] | None) -> list[PanellistSpec] | None:
        labels = [p.label for p in value or []]
        dupes = sorted({label for label in labels if labels.count(label) > 1})
        if dupes:
            raise ValueError(f"two panellists are named {', '.join(dupes)}: give each a distinct `name`")
        return value

    @model_validator(mode="after")
    def _model_or_panel(self) -> "JudgeSpec":
        if self.panel is None:
            if self.model is None:
                raise ValueError("give `model` (one judge) or `panel` (several judge models)")
            if "aggregate" in self.model_fields_set:
                raise ValueError("`aggregate` applies to a judge `panel` only")
            return self
        # The model first, then its settings, as a panellist is written.
        shared = sorted((name for name in ModelFields.model_fields if name in self.model_fields_set),
                        key=lambda name: name != "model")
        if shared:
            raise ValueError(f"with `panel`, give {', '.join(f'`{n}`' for n in shared)} inside each panellist")
        return self
