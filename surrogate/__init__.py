"""Decisions: design spaces, the censored-lifetime GP with physics and transfer, acquisition, campaigns.

Pure: no I/O, no service imports; deterministic given a seed.
"""

from .acquisition import ACQUISITIONS
from .campaign import BestObserved, Campaign, CampaignError, Proposal, Recommendation
from .measurement import Measurement, MeasurementError, fingerprint
from .physics import CzmPrior, PhysicsPrior, SimulationRequest, SuppressionPrior
from .space import DesignSpace, DesignSpaceError

__all__ = [
    "ACQUISITIONS", "BestObserved", "Campaign", "CampaignError", "CzmPrior", "DesignSpace", "DesignSpaceError",
    "Measurement", "MeasurementError", "PhysicsPrior", "Proposal", "Recommendation", "SimulationRequest",
    "SuppressionPrior", "fingerprint",
]
