"""Request bodies: what a client may send, validated by pydantic before anything is stored; and the published sets' answers.

Shared by the HTTP edge (which validates with them) and the use cases (which take them as typed input).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from interlayer.surrogate.acquisition import ACQUISITIONS
from interlayer.surrogate.measurement import STATES
from interlayer.surrogate.objective import Objective, ObjectiveError, OutcomeConstraint
from interlayer.surrogate.physics import PRIORS

# The widest design space a campaign may declare; simulations outside it are refused too.
MAX_UNIT_CYCLES, MAX_SUPERCYCLES = 100, 1000


class SpaceIn(BaseModel):
    """The design space (the metal comes from the campaign)."""

    model_config = ConfigDict(extra="forbid")
    max_ald_cycles: int = Field(default=10, ge=0, le=MAX_UNIT_CYCLES)
    max_mld_cycles: int = Field(default=10, ge=0, le=MAX_UNIT_CYCLES)
    max_supercycles: int = Field(default=100, ge=1, le=MAX_SUPERCYCLES)
    max_thickness_nm: float = Field(default=40.0, gt=0, allow_inf_nan=False)
    min_thickness_nm: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    symmetric_only: bool = False
    min_ald_cycles: int = Field(default=1, ge=0, le=MAX_UNIT_CYCLES)
    min_mld_cycles: int = Field(default=1, ge=0, le=MAX_UNIT_CYCLES)


# What a client sends; the surrogate's ``Condition`` is built from it when both values are given.
class ConditionIn(BaseModel):
    """The cell test: current density and areal capacity."""

    model_config = ConfigDict(extra="forbid")
    current_density_ma_cm2: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    capacity_mah_cm2: float | None = Field(default=None, gt=0, allow_inf_nan=False)


class ReactorSettings(BaseModel):
    """The ALD/MLD reactor settings a coater needs beside the cycle sequence: stored on the campaign, printed
    on its worksheet. No defaults: the paper's text (shared/reference) gives none (its methods are in its
    Supporting Information), and a guessed temperature or pulse would be coated as if it were the lab's."""

    model_config = ConfigDict(extra="forbid")
    temperature_c: float | None = Field(default=None, ge=20, le=400, allow_inf_nan=False, description="deposition, °C")
    tma_pulse_s: float | None = Field(default=None, gt=0, le=600, allow_inf_nan=False, description="TMA dose")
    h2o_pulse_s: float | None = Field(default=None, gt=0, le=600, allow_inf_nan=False, description="H2O dose (ALD)")
    eg_pulse_s: float | None = Field(default=None, gt=0, le=600, allow_inf_nan=False, description="ethylene glycol dose (MLD)")
    purge_s: float | None = Field(default=None, gt=0, le=600, allow_inf_nan=False, description="N2 purge after each dose")


class CampaignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    metal: str = Field(min_length=1, max_length=8)
    space: SpaceIn = Field(default_factory=SpaceIn)
    seed: int = Field(default=0, ge=0, le=2**31)
    # the names of the surrogate's registries
    physics: Literal[tuple(PRIORS)] = "suppression"
    acquisition: Literal[tuple(ACQUISITIONS)] = "ucb"
    related_campaigns: list[str] = Field(default_factory=list, max_length=8)
    condition: ConditionIn | None = None
    # what the campaign optimizes: ["lifetime"] (default) or ["lifetime", "overpotential"] (a Pareto pair);
    # a constraint such as "overpotential_mv<=60" goes with lifetime alone
    objectives: list[str] = Field(default_factory=lambda: ["lifetime"], min_length=1, max_length=2)
    constraint: str | None = Field(default=None, min_length=1, max_length=64)
    # the cells' electrode area: a tester's file uploaded without one is read with it (issue 27)
    electrode_area_cm2: float | None = Field(default=None, gt=0, le=1000, allow_inf_nan=False)
    reactor: ReactorSettings | None = None

    @field_validator("objectives")
    @classmethod
    def _known_objectives(cls, value: list[str]) -> list[str]:
        try:
            return list(Objective(tuple(value)).names)
        except ObjectiveError as error:
            raise ValueError(str(error)) from None

    @field_validator("constraint")
    @classmethod
    def _known_constraint(cls, value: str | None) -> str | None:
        try:
            return None if value is None else str(OutcomeConstraint.parse(value))
        except ObjectiveError as error:
            raise ValueError(str(error)) from None

    @model_validator(mode="after")
    def _constraint_with_lifetime(self) -> "CampaignIn":
        if self.constraint is not None and len(self.objectives) > 1:
            raise ValueError("constraint: a constraint goes with the lifetime objective alone")
        return self


class ProposalsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    count: int = Field(default=4, ge=1, le=64)


class CellRecord(BaseModel):
    """What a lab files about a cell beside its result; none of it enters the model. The current and
    capacity of its test are its ``condition``."""

    model_config = ConfigDict(extra="forbid")
    electrolyte: str | None = Field(default=None, min_length=1, max_length=200, description="e.g. 1 M LiPF6 in EC/DEC")
    temperature_c: float | None = Field(default=None, ge=-80, le=150, allow_inf_nan=False,
                                        description="test temperature, °C")
    built_on: date | None = Field(default=None, description="the day the cell was assembled")
    tested_on: date | None = Field(default=None, description="the day its test began")
    sample_id: str | None = Field(default=None, min_length=1, max_length=200, description="the coated sample's id")
    note: str | None = Field(default=None, min_length=1, max_length=2000)

    @field_validator("tested_on", mode="after")
    @classmethod
    def _tested_after_built(cls, tested_on: date | None, info: ValidationInfo) -> date | None:
        built_on = info.data.get("built_on")
        if tested_on is not None and built_on is not None and tested_on < built_on:
            raise ValueError(f"the test cannot begin ({tested_on}) before the cell was built ({built_on})")
        return tested_on


RECORD_FIELDS = tuple(CellRecord.model_fields)


def _failed_cell_reason(reason: str | None, info: ValidationInfo) -> str | None:
    """A failed cell has no lifetime, so its reason is the whole record: required (``state`` is validated first)."""
    if info.data.get("state") == "failed" and reason is None:
        raise ValueError("a failed cell needs its failure_reason (e.g. 'film did not grow')")
    return reason


class MeasurementIn(CellRecord):
    """One cell report: a recipe (or the proposal it answers), hours, and whether the cell is still running."""

    model_config = ConfigDict(extra="forbid")
    recipe: str | None = Field(default=None, min_length=1, max_length=64)
    proposal_id: str | None = Field(default=None, min_length=1, max_length=32)
    lifetime_h: float | None = Field(default=None, gt=0, allow_inf_nan=False,
                                     description="hours; a lower bound when running or stopped; none for a failed cell")
    censored: bool = False
    state: Literal[STATES] | None = Field(default=None, description="running, stopped, shorted or failed; "
                                          "without it censored means running and not censored shorted")
    failure_reason: str | None = Field(default=None, min_length=1, max_length=500, validate_default=True)
    overpotential_mv: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    cell_id: str | None = Field(default=None, min_length=1, max_length=200)
    condition: ConditionIn | None = None

    @field_validator("failure_reason", mode="after")
    @classmethod
    def _failed_needs_reason(cls, reason: str | None, info: ValidationInfo) -> str | None:
        return _failed_cell_reason(reason, info)

    @model_validator(mode="after")
    def _names_a_recipe(self) -> "MeasurementIn":
        if self.recipe is None and self.proposal_id is None:
            raise ValueError("give a recipe or a proposal_id")
        return self


class MeasurementPatch(CellRecord):
    """A newer report of a running cell: more hours, and whether it is still running; or, alone, any cell's
    record fields (``CellRecord``), which change no result."""

    model_config = ConfigDict(extra="forbid")
    lifetime_h: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    censored: bool = True
    state: Literal[STATES] | None = None
    failure_reason: str | None = Field(default=None, min_length=1, max_length=500, validate_default=True)
    overpotential_mv: float | None = Field(default=None, gt=0, allow_inf_nan=False)

    @field_validator("failure_reason", mode="after")
    @classmethod
    def _failed_needs_reason(cls, reason: str | None, info: ValidationInfo) -> str | None:
        return _failed_cell_reason(reason, info)


class SimulationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model: str = Field(min_length=1, max_length=64)
    metal: str = Field(min_length=1, max_length=8)
    recipe: str = Field(min_length=1, max_length=64)
    parameters: dict[str, Any] = Field(default_factory=dict)


class SimulationsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    simulations: list[SimulationIn] = Field(min_length=1, max_length=1000)


# Published sets: names are lower-case words, so that ``published:NAME`` can name one anywhere.
PUBLISHED_NAME = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
