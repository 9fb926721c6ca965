"""What crosses the HTTP edge: request bodies (``requests``, validated before anything is stored and
taken by the use cases as typed input) and response bodies (``responses``, the OpenAPI document's answers).
Apart from the tables on purpose: a column may change without changing the API, and back."""

from .requests import (
    MAX_SUPERCYCLES,
    MAX_UNIT_CYCLES,
    PUBLISHED_NAME,
    RECORD_FIELDS,
    CampaignIn,
    CellRecord,
    ConditionIn,
    MeasurementIn,
    MeasurementPatch,
    ProposalsIn,
    ReactorSettings,
    SimulationIn,
    SimulationsIn,
    SpaceIn,
)

__all__ = ["MAX_SUPERCYCLES", "MAX_UNIT_CYCLES", "PUBLISHED_NAME", "RECORD_FIELDS", "CampaignIn", "CellRecord", "ConditionIn",
           "MeasurementIn", "MeasurementPatch", "ProposalsIn", "ReactorSettings", "SimulationIn", "SimulationsIn", "SpaceIn"]
