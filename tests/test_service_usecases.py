"""The campaign use cases run on a database alone: no broker, no worker, no HTTP."""

from __future__ import annotations

import pytest

from interlayer.service.errors import NotFound
from interlayer.service.jobs.lifecycle import claim, create_job
from interlayer.service.schemas import CampaignIn
from interlayer.service.settings import Settings
from interlayer.service.store.db import migrate, transaction
from interlayer.service.store.tables import Job
from interlayer.service.store.vocabulary import JobKind, JobStatus
from interlayer.service.usecases import campaigns, jobs, proposals


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
    proposals.propose(settings, claim(settings, job_id))
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
