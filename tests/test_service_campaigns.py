"""Campaigns through the API and real workers: the closed loop on PostgreSQL + Redis and on SQLite +
the embedded broker, transfer from another metal's campaign, idempotent measurement posts, concurrent proposal
jobs, bad input."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from threading import Thread

import pytest
from sqlalchemy import func, select

from interlayer.evaluation.closed_loop import run_loop
from interlayer.evaluation.labs import paper_lab
from interlayer.models.recipe import Recipe
from interlayer.service.cli.planner import ApiPlanner
from interlayer.service.client import ServiceError
from interlayer.service.store.db import engine_for
from interlayer.service.store.tables import Job, Simulation
from interlayer.surrogate.space import DesignSpace

# A small space keeps each fit quick; the loop is the same as on the default space.
SMALL_SPACE = {"max_ald_cycles": 3, "max_mld_cycles": 3, "max_supercycles": 60, "max_thickness_nm": 24.0}


def closed_loop(client, metal: str, physics: str, rounds: int = 2, batch: int = 4) -> tuple[dict, list[dict]]:
    """The evaluation harness's loop against the service: each round a proposal job, its cells measured."""
    campaign = client.create_campaign(f"{metal} loop", metal, space=SMALL_SPACE, physics=physics, seed=3)
    planner = ApiPlanner(client, campaign["id"], timeout_s=240)
    proposed = []
    space = DesignSpace.from_dict(campaign["space"])
    for step in run_loop(planner, paper_lab, space, budget=rounds * batch, batch=batch, seed=7):
        # the job succeeded (a failed one raises) with a whole batch, every proposal measured
        assert len(planner.proposals) == len(step.results) == batch
        proposed.extend(planner.proposals)
    return campaign, proposed


@pytest.mark.parametrize("stack_name, physics, models", [("pg_client", "suppression", {"czm"}),
                                                         ("sqlite_client", "czm", {"czm"})])
def test_closed_loop_campaign_end_to_end(stack_name, physics, models, request):
    client = request.getfixturevalue(stack_name)
    stack = request.getfixturevalue(stack_name.replace("client", "stack"))
    campaign, proposed = closed_loop(client, "Li", physics=physics)
    recipes = [p["recipe"] for p in proposed]
    assert len(set(recipes)) == len(recipes) == 8
    space = DesignSpace.from_dict(campaign["space"])
    assert all(space.contains(Recipe.parse(r)) for r in recipes)
    recommendation = client.recommendation(campaign["id"])
    assert space.contains(Recipe.parse(recommendation["recipe"]))
    assert recommendation["data_version"] == 2
    assert recommendation["interval_h"][0] < recommendation["predicted_lifetime_h"] < recommendation["interval_h"][1]
    assert client.campaign(campaign["id"])["measurements"] == 8
    assert {p["status"] for p in client.proposals(campaign["id"])} == {"measured"}
    # The physics prior's simulations ran as jobs of their own, once per input.
    with engine_for(stack.settings).connect() as connection:
        per_model = dict(connection.execute(select(Simulation.model, func.count()).group_by(Simulation.model)).all())
        jobs = connection.execute(select(func.count()).select_from(Job).where(
            Job.kind == "simulation", Job.status == "succeeded", Job.simulation_key.is_not(None))).scalar()
    assert models <= {model for model, count in per_model.items() if count > 0}
    assert jobs >= sum(per_model.values())


def test_a_campaign_learns_from_another_metals_campaign(pg_client):
    li, _ = closed_loop(pg_client, "Li", physics="czm")
    na = pg_client.create_campaign("Na given Li", "Na", space=SMALL_SPACE, physics="czm", seed=3,
                                   related_campaigns=[li["id"]])
    planner = ApiPlanner(pg_client, na["id"], timeout_s=240)
    for step in run_loop(planner, paper_lab, DesignSpace.from_dict(na["space"]), budget=8, batch=4, seed=11):
        assert len(planner.proposals) == 4
        hyperparameters = planner.proposals[0]["hyperparameters"]
        if step.round == 1:
            # no Na cell yet: nothing to judge the Li cells by, so the Na model decides alone
            assert not hyperparameters["transfer"] and hyperparameters["transfer_misranked_pairs"] == {}
        else:
            # four Na cells: the guard has compared both models on them, and its choice sets the rows fitted
            assert set(hyperparameters["transfer_misranked_pairs"]) == {"multi_task", "independent"}
            assert hyperparameters["n_rows"] == (4 + 8 if hyperparameters["transfer"] else 4)
    assert Recipe.parse(planner.recommendation["recipe"]).metal == "Na"


def test_measurement_post_is_idempotent(pg_client):
    campaign = pg_client.create_campaign("idempotency", "Na", space=SMALL_SPACE, physics="none")
    rows = [{"recipe": "Na@(1ALD-1MLD)10", "lifetime_h": 950.0, "censored": True, "cell_id": "n1"}]
    key = uuid.uuid4().hex
    first = pg_client.measure(campaign["id"], rows, idempotency_key=key)
    second = pg_client.measure(campaign["id"], rows, idempotency_key=key)
    assert first == second
    assert len(pg_client.measurements(campaign["id"])) == 1
    with pytest.raises(ServiceError) as error:
        pg_client.measure(campaign["id"], [dict(rows[0], lifetime_h=990.0)], idempotency_key=key)
    assert error.value.status == 409
    assert [m["lifetime_h"] for m in pg_client.measurements(campaign["id"])] == [950.0]


def test_running_cell_hours_rise_by_patch_and_never_fall(pg_client):
    campaign = pg_client.create_campaign("running cell", "Li", space=SMALL_SPACE, physics="none")
    stored = pg_client.measure(campaign["id"], [{"recipe": "Li@(2ALD-2MLD)25", "lifetime_h": 300.0, "censored": True,
                                                 "cell_id": "li-1"}])["measurements"][0]
    updated = pg_client.update_measurement(campaign["id"], stored["id"], 640.0, censored=True)
    assert updated["lifetime_h"] == 640.0 and updated["data_version"] == 2
    with pytest.raises(ServiceError) as error:
        pg_client.update_measurement(campaign["id"], stored["id"], 500.0)
    assert error.value.status == 422 and "500" in str(error.value)
    pg_client.update_measurement(campaign["id"], stored["id"], 700.0, censored=False)
    with pytest.raises(ServiceError):
        pg_client.update_measurement(campaign["id"], stored["id"], 800.0)
    assert [(m["lifetime_h"], m["censored"]) for m in pg_client.measurements(campaign["id"])] == [(700.0, False)]


def test_two_concurrent_proposal_jobs_never_propose_the_same_recipe(pg_client):
    campaign = pg_client.create_campaign("concurrent", "Na", space=SMALL_SPACE, physics="none", seed=11)
    pg_client.measure(campaign["id"], [{"recipe": "Na@(1ALD-1MLD)10", "lifetime_h": 2100.0},
                                       {"recipe": "Na@(3ALD-3MLD)12", "lifetime_h": 700.0}])
    with ThreadPoolExecutor(2) as pool:
        jobs = list(pool.map(lambda _: pg_client.propose(campaign["id"], 4), range(2)))
    done = [pg_client.wait(job, timeout_s=240) for job in jobs]
    recipes = [p["recipe"] for job in done for p in job["proposals"]]
    assert len(recipes) == 8 and len(set(recipes)) == 8
    stored = [p["recipe"] for p in pg_client.proposals(campaign["id"], status="pending")]
    assert sorted(stored) == sorted(recipes)


def test_a_recommendation_stored_meanwhile_by_another_job_is_kept_or_replaced_by_version(pg_stack, pg_client):
    # The race CI once hit: two jobs both find no recommendation row, both insert the first one.
    from interlayer.service.store.db import transaction
    from interlayer.service.store.tables import Recommendation
    from interlayer.service.usecases.recommendations import store_recommendation

    settings = pg_stack.settings
    campaign_id = pg_client.create_campaign("race", "Na", space=SMALL_SPACE, physics="none")["id"]
    errors = []

    def store(version):
        try:
            with transaction(settings) as session:
                store_recommendation(session, campaign_id, version, {"version": version})
        except Exception as error:  # the assertion below names it
            errors.append(error)

    with transaction(settings) as first:
        store_recommendation(first, campaign_id, 2, {"version": 2})
        first.flush()
        # the second writer now waits on the first's uncommitted row, and goes on when it commits
        older = Thread(target=store, args=(1,))
        older.start()
        older.join(timeout=0.5)
        assert older.is_alive()
    older.join(timeout=30)
    assert errors == []
    with transaction(settings) as session:
        row = session.get(Recommendation, campaign_id)
        assert (row.data_version, row.document) == (2, {"version": 2})
    store(3)
    with transaction(settings) as session:
        row = session.get(Recommendation, campaign_id)
        assert (row.data_version, row.document) == (3, {"version": 3})


def test_other_owners_campaign_is_not_found(pg_stack, pg_client):
    from conftest import make_client
    campaign = pg_client.create_campaign("private", "Li", space=SMALL_SPACE, physics="none")
    with make_client(pg_stack, "someone-else") as other:
        for call in (lambda: other.campaign(campaign["id"]), lambda: other.recommendation(campaign["id"]),
                     lambda: other.measure(campaign["id"], [{"recipe": "Li@(1ALD-1MLD)10", "lifetime_h": 5.0}])):
            with pytest.raises(ServiceError) as error:
                call()
            assert error.value.status == 404
        assert other.campaigns() == []


def test_bad_input_is_422_naming_field_and_reason(pg_client):
    def refused(call) -> list[dict]:
        with pytest.raises(ServiceError) as error:
            call()
        assert error.value.status == 422
        return error.value.detail

    detail = refused(lambda: pg_client.create_campaign("x", "Xe"))
    assert detail[0]["loc"] == ["body", "metal"] and "Xe" in detail[0]["msg"]
    detail = refused(lambda: pg_client.create_campaign("x", "Li", space={"max_supercycles": 0}))
    assert detail[0]["loc"] == ["body", "space", "max_supercycles"] and "greater than or equal to 1" in detail[0]["msg"]
    detail = refused(lambda: pg_client.simulate("czm", "Li", "(2ALD-MLD)25"))
    assert detail[0]["loc"] == ["body", "recipe"]
    detail = refused(lambda: pg_client.simulate("nonsense", "Li", "(2ALD-2MLD)25"))
    assert detail[0]["loc"] == ["body", "model"] and "unknown model" in detail[0]["msg"]
    campaign = pg_client.create_campaign("bad rows", "Li", space=SMALL_SPACE, physics="none")
    detail = refused(lambda: pg_client.measure(campaign["id"], [{"recipe": "Li@(2ALD-2MLD)25", "lifetime_h": 200.0},
                                                                {"recipe": "Li@(2ALD-2MLD)20", "lifetime_h": -4.0}]))
    assert detail[0]["loc"] == ["body", 2, "lifetime_h"] and "greater than 0" in detail[0]["msg"]
    detail = refused(lambda: pg_client.measure(campaign["id"], [{"recipe": "Li@(9ALD-9MLD)90", "lifetime_h": 200.0}]))
    assert detail[0]["loc"] == ["body", 1, "recipe"] and "outside" in detail[0]["msg"]
    assert pg_client.measurements(campaign["id"]) == []
    assert pg_client.campaign(campaign["id"])["data_version"] == 0


def test_csv_with_one_bad_row_stores_nothing_and_names_the_row(pg_client, tmp_path):
    campaign = pg_client.create_campaign("csv", "Li", space=SMALL_SPACE, physics="none")
    good = tmp_path / "good.csv"
    good.write_text("recipe,lifetime_h,censored,cell_id\nLi@(2ALD-2MLD)25,410,true,a1\n")
    pg_client.measure(campaign["id"], good)
    before = pg_client.measurements(campaign["id"])
    bad = tmp_path / "bad.csv"
    bad.write_text("recipe,lifetime_h,censored,cell_id\n"
                   "Li@(1ALD-1MLD)20,300,false,b1\n"
                   "Li@(2ALD-2MLD)20,nan,false,b2\n"
                   "Li@(3ALD-3MLD)10,250,false,b3\n")
    with pytest.raises(ServiceError) as error:
        pg_client.measure(campaign["id"], bad)
    assert error.value.status == 422
    assert error.value.detail[0]["loc"] == ["body", "file", "row", 2, "lifetime_h"]
    # A running cell's report that lowers its hours is refused the same way, by row.
    lower = tmp_path / "lower.csv"
    lower.write_text("recipe,lifetime_h,censored,cell_id\nLi@(1ALD-1MLD)20,300,false,c1\nLi@(2ALD-2MLD)25,100,true,a1\n")
    with pytest.raises(ServiceError) as error:
        pg_client.measure(campaign["id"], lower)
    assert error.value.detail[0]["loc"] == ["body", "file", "row", 2] and "a1" in error.value.detail[0]["msg"]
    assert pg_client.measurements(campaign["id"]) == before
    assert pg_client.campaign(campaign["id"])["data_version"] == 1


def test_a_rendered_recommendation_is_sent_again_only_while_its_stamp_is_current(pg_stack, pg_client):
    """The API keeps the bytes it rendered per (campaign, condition, stamp): the same answer again while the
    stored row is unchanged, the newly stored document once a refit replaced it (a new computed_at), and the
    refit job (202) once a new cell made the data newer."""
    from interlayer.service.store.db import transaction
    from interlayer.service.usecases.recommendations import store_recommendation

    campaign_id = pg_client.create_campaign("rendered", "Na", space=SMALL_SPACE, physics="none")["id"]
    pg_client.measure(campaign_id, [{"recipe": "Na@(1ALD-1MLD)10", "lifetime_h": 900.0, "censored": False},
                                    {"recipe": "Na@(2ALD-2MLD)5", "lifetime_h": 400.0, "censored": False}])
    first = pg_client.recommendation(campaign_id)
    path = f"/v1/campaigns/{campaign_id}/recommendation"
    again = pg_client.http.get(path)
    assert again.status_code == 200 and again.json() == first
    # a refit of the same data version stores its document anew: the new one is served, not the bytes kept
    with transaction(pg_stack.settings) as session:
        document = {key: value for key, value in first.items() if key not in ("campaign_id", "data_version", "computed_at")}
        store_recommendation(session, campaign_id, first["data_version"], document | {"recipe": "Na@(3ALD-3MLD)4"})
    replaced = pg_client.http.get(path).json()
    assert replaced["recipe"] == "Na@(3ALD-3MLD)4" and replaced["computed_at"] != first["computed_at"]
    pg_client.measure(campaign_id, [{"recipe": "Na@(1ALD-1MLD)20", "lifetime_h": 700.0, "censored": False}])
    newer = pg_client.http.get(path)
    assert newer.status_code == 202 and newer.json()["kind"] == "ingest"
