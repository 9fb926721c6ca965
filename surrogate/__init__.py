"""Decisions: design spaces, the censored-lifetime GP with physics and transfer, acquisition, campaigns.

Pure: no I/O, no service imports; deterministic given a seed.
"""

from .acquisition import ACQUISITIONS
from .batch import Proposal
from .campaign import Campaign
from .fit import CampaignError, Fit, FitCache
from .measurement import Measurement, MeasurementError, fingerprint
from .physics import CzmPrior, PhysicsPrior, SimulationRequest, SuppressionPrior
from .recommendation import BestObserved, Recommendation
from .space import DesignSpace, DesignSpaceError

__all__ = [
    "ACQUISITIONS", "BestObserved", "Campaign", "CampaignError", "CzmPrior", "DesignSpace", "DesignSpaceError",
    "Fit", "FitCache", "Measurement", "MeasurementError", "PhysicsPrior", "Proposal", "Recommendation", "SimulationRequest",
    "SuppressionPrior", "fingerprint",
]
