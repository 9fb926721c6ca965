"""A campaign's rows as the surrogate sees them: measurements, related cells, pending proposals, options."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from interlayer.models.recipe import Recipe
from interlayer.surrogate.campaign import Campaign
from interlayer.surrogate.condition import Condition
from interlayer.surrogate.fit import CampaignError, FitCache
from interlayer.surrogate.measurement import Measurement
from interlayer.surrogate.objective import Objective
from interlayer.surrogate.physics import PRIORS, PhysicsPrior
from interlayer.surrogate.space import stored_space

from ..store import tables
from ..store.campaigns import Campaigns
from ..store.cells import Cells
from ..store.db import Session
from ..store.proposals import Proposals


def physics_prior(name: str) -> PhysicsPrior | None:
    if name not in PRIORS:
        raise CampaignError(f"unknown physics {name!r}; choose one of {', '.join(PRIORS)}")
    return PRIORS[name]


def surrogate_condition(data: dict | None) -> Condition | None:
    """A stored condition as the surrogate takes it: None unless both current and capacity are given."""
    if not data or data.get("capacity_mah_cm2") is None or \
            data.get("current_density_ma_cm2", data.get("current_ma_cm2")) is None:
        return None
    return Condition.from_dict(data)


def to_measurement(row: tables.Measurement, metal: str) -> Measurement:
    return Measurement(Recipe.parse(row.recipe, metal=metal), row.lifetime_h, row.censored, row.overpotential_mv,
                       row.cell_id, row.state, row.failure_reason, surrogate_condition(row.condition))


def measurements_of(session: Session, campaign_ids: Sequence[str], metal_of: dict[str, str]) -> list[Measurement]:
    return [to_measurement(row, metal_of[row.campaign_id]) for row in Cells(session).of_campaigns(campaign_ids)]


@dataclass
class CampaignState:
    """A campaign's rows as of one read: enough to rebuild the surrogate outside any transaction."""

    row: tables.Campaign
    measurements: list[Measurement]
    related: list[Measurement]

    def build(self, fits: FitCache | None = None) -> Campaign:
        """The surrogate's campaign, told every measurement; its fits kept in ``fits`` (a worker's cache).

        The physics results are the caller's to give (``Campaign.fit(results)``): the campaign never runs one."""
        options = self.row.options
        campaign = Campaign(stored_space(self.row.space), seed=options["seed"],
                            physics=physics_prior(options["physics"]), related=self.related,
                            fits=fits, acquisition=options["acquisition"],
                            objective=Objective.parse(options.get("objectives"), options.get("constraint")),
                            condition=surrogate_condition(options.get("condition")))
        campaign.tell(self.measurements)
        return campaign


def load_state(session: Session, campaign_id: str) -> CampaignState:
    campaigns = Campaigns(session)
    row = campaigns.get(campaign_id)
    if row is None:
        raise CampaignError(f"campaign {campaign_id} does not exist")
    related_ids = list(row.options.get("related_campaigns", []))
    metals = campaigns.metals([campaign_id, *related_ids])
    return CampaignState(row, measurements_of(session, [campaign_id], metals), measurements_of(session, related_ids, metals))


def pending_recipes(session: Session, campaign_id: str, metal: str) -> list[Recipe]:
    """The recipes of the campaign's proposals that no measurement reports yet."""
    return [Recipe.parse(recipe, metal=metal) for recipe in Proposals(session).pending_recipes(campaign_id)]
