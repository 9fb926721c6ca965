"""The campaign use cases run on a database alone: no broker, no worker, no HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from interlayer.service.errors import NotFound
from interlayer.service.jobs.lifecycle import Waiting, claim, create_job
from interlayer.service.schemas import CampaignIn
from interlayer.service.settings import Settings
from interlayer.service.store.db import migrate, transaction
from interlayer.service.store.tables import Job
from interlayer.service.store.vocabulary import JobKind, JobStatus
from interlayer.service.usecases import campaigns, jobs, proposals, recommendations
from interlayer.service.usecases.simulations import run_simulation_job
from interlayer.service.usecases.state import load_state
from interlayer.surrogate.fit import FitCache


@pytest.fixture()
def settings(tmp_path) -> Settings:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'usecases.sqlite'}", redis_url=None)
    migrate(settings)
    return settings


def test_a_proposal_job_body_stores_a_batch_and_finishes_its_job(settings):
    body = CampaignIn(name="no broker", metal="Na", physics="none",
                      space={"max_ald_cycles": 2, "max_mld_cycles": 2, "max_supercycles": 30})
    campaign = campaigns.create_campaign(settings, "lab", body, None)
    with transaction(settings) as session:
        job_id = create_job(session, JobKind.PROPOSAL, "lab", {"count": 3}, campaign_id=campaign["id"]).id
    proposals.propose(settings, claim(settings, job_id), FitCache())
    stored = proposals.list_proposals(settings, "lab", campaign["id"], "pending")
    assert len({p["recipe"] for p in stored}) == 3
    done = jobs.show_job(settings, "lab", job_id)
    assert done["status"] == JobStatus.SUCCEEDED and [p["id"] for p in done["proposals"]] == [p["id"] for p in stored]
    # a second delivery of the same message finds the job finished: nothing is claimed, nothing written
    assert claim(settings, job_id) is None
    with transaction(settings) as session:
        assert session.get(Job, job_id).attempts == 1
    with pytest.raises(NotFound):
        proposals.list_proposals(settings, "another lab", campaign["id"], None)


def test_a_campaign_job_builds_no_model_while_its_simulations_are_pending(settings):
    """Propose and refit ask for the physics first: while a simulation is missing they queue it, answer
    Waiting and build nothing; once all are stored the proposal builds the model once and the refit of
    the same data version reuses it."""
    body = CampaignIn(name="physics first", metal="Na", physics="suppression",
                      space={"max_ald_cycles": 2, "max_mld_cycles": 2, "max_supercycles": 30})
    campaign = campaigns.create_campaign(settings, "lab", body, None)
    fits = FitCache()
    with transaction(settings) as session:
        proposal_id = create_job(session, JobKind.PROPOSAL, "lab", {"count": 2}, campaign_id=campaign["id"]).id
        refit_id = create_job(session, JobKind.REFIT, "lab", {"data_version": 0}, campaign_id=campaign["id"]).id
    proposal_claim, refit_claim = claim(settings, proposal_id), claim(settings, refit_id)
    for _ in range(2):  # asked again, the simulations are still pending: nothing queued twice, nothing built
        assert isinstance(proposals.propose(settings, proposal_claim, fits), Waiting)
        assert isinstance(recommendations.refit(settings, refit_claim, fits), Waiting)
    assert fits.builds == 0
    with transaction(settings) as session:
        queued = session.scalars(select(Job.id).where(Job.kind == JobKind.SIMULATION)).all()
        assert session.get(Job, proposal_id).status == JobStatus.RUNNING
    with transaction(settings) as session:
        needed = load_state(session, campaign["id"]).build().simulation_requests()
    assert len(queued) == len(needed) > 0  # each run the prior needs, queued once
    for job_id in queued:
        run_simulation_job(settings, claim(settings, job_id))
    assert proposals.propose(settings, proposal_claim, fits) is None
    assert fits.builds == 1
    assert recommendations.refit(settings, refit_claim, fits) is None
    assert fits.builds == 1  # the refit of the same data version shares the proposal's fit
    assert jobs.show_job(settings, "lab", proposal_id)["status"] == JobStatus.SUCCEEDED
    assert jobs.show_job(settings, "lab", refit_id)["status"] == JobStatus.SUCCEEDED
