"""Cells as labs record them, through the service: states, failed cells, overpotential, objectives and
conditions; bad input refused with the field named (422, CLI exit 2) and nothing stored changed; a
campaign stored before migration 0003 still proposes."""

from __future__ import annotations

import json

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import func, select

from interlayer.service.settings import Settings
from interlayer.service.store import tables
from interlayer.service.store.db import alembic_config, engine_for, migrate, transaction
from interlayer.service.usecases.state import load_state

SMALL = {"max_ald_cycles": 3, "max_mld_cycles": 3, "max_supercycles": 30}
RECIPE = "Li@(2ALD-2MLD)5"


def counts(settings, campaign_id):
    with transaction(settings) as session:
        return (session.scalar(select(func.count()).select_from(tables.Campaign)),
                session.scalar(select(func.count()).where(tables.Measurement.campaign_id == campaign_id)),
                session.get(tables.Campaign, campaign_id).data_version)


def bad_cells() -> list[tuple[dict, list]]:
    return [
        ({"recipe": RECIPE, "lifetime_h": 10, "overpotential_mv": 0}, ["body", 1, "overpotential_mv"]),
        ({"recipe": RECIPE, "lifetime_h": 10, "overpotential_mv": -4.0}, ["body", 1, "overpotential_mv"]),
        ({"recipe": RECIPE, "lifetime_h": 10, "state": "exploded"}, ["body", 1, "state"]),
        ({"recipe": RECIPE, "lifetime_h": 10, "state": "failed", "failure_reason": "no growth"}, ["body", 1, "lifetime_h"]),
        ({"recipe": RECIPE, "state": "shorted"}, ["body", 1, "lifetime_h"]),
        ({"recipe": RECIPE, "state": "failed"}, ["body", 1, "failure_reason"]),
        ({"recipe": RECIPE, "lifetime_h": 10, "condition": {"current_density_ma_cm2": 0, "capacity_mah_cm2": 1}},
         ["body", 1, "condition", "current_density_ma_cm2"]),
        ({"recipe": RECIPE, "lifetime_h": 10, "condition": {"current_density_ma_cm2": 1, "capacity_mah_cm2": -1}},
         ["body", 1, "condition", "capacity_mah_cm2"]),
    ]


def test_bad_cells_campaigns_and_conditions_are_422_naming_the_field_and_store_nothing(pg_stack, pg_client):
    campaign = pg_client.create_campaign("outcomes-bad", "Li", physics="none", space=SMALL)
    pg_client.measure(campaign["id"], [{"recipe": RECIPE, "lifetime_h": 300.0, "overpotential_mv": 40.0, "cell_id": "a"}])
    before = counts(pg_stack.settings, campaign["id"])
    path = f"/v1/campaigns/{campaign['id']}/measurements"
    with httpx.Client(base_url=pg_stack.api.url, headers=dict(pg_client.http.headers), timeout=60) as http:
        for row, location in bad_cells():
            response = http.post(path, json=[{"recipe": RECIPE, "lifetime_h": 100.0}, row])
            location = [location[0], 2, *location[2:]]
            assert response.status_code == 422, (row, response.text)
            detail = response.json()["detail"]
            assert detail[0]["loc"][:len(location)] == location and detail[0]["msg"].startswith("row 2: "), (row, detail)
        # every bad row at once, rows counted from 1, a recipe outside the space with the limit it breaks
        response = http.post(path, json=[{"recipe": "Li@(3ALD-3MLD)40", "lifetime_h": 100.0}, {"recipe": RECIPE, "lifetime_h": 5},
                                         {"recipe": "Li@(4ALD-1MLD)2", "lifetime_h": 100.0}])
        assert response.status_code == 422
        messages = [item["msg"] for item in response.json()["detail"]]
        assert [item["loc"] for item in response.json()["detail"]] == [["body", 1, "recipe"], ["body", 3, "recipe"]]
        assert messages[0].startswith("row 1: Li@(3ALD-3MLD)40 lies outside this campaign's design space")
        assert "supercycles 40 outside the space's 1–30; thickness 48.0 nm above the space's limit of 40 nm" in messages[0]
        assert messages[1].startswith("row 3: ") and "ALD cycles per unit 4 outside the space's 1–3" in messages[1]
        for literal in ("NaN", "Infinity"):
            response = http.post(path, content=f'[{{"recipe": "{RECIPE}", "lifetime_h": 5, "overpotential_mv": {literal}}}]',
                                 headers={"Content-Type": "application/json"})
            assert response.status_code == 422 and response.json()["detail"][0]["loc"][0] == "body"
        csv = f"recipe,lifetime_h,state\n{RECIPE},10,exploded\n"
        response = http.post(path, content=csv, headers={"Content-Type": "text/csv"})
        assert response.status_code == 422 and response.json()["detail"][0]["loc"][:5] == ["body", "file", "row", 1, "state"]
        patch = http.patch(f"{path}/{pg_client.measurements(campaign['id'])[0]['id']}", json={"state": "shorted"})
        assert patch.status_code == 422 and patch.json()["detail"][0]["loc"][-1] == "lifetime_h"
        for body, field in (({"constraint": "capacity_fade_pct<=3"}, "constraint"), ({"objectives": ["lifetime", "cost"]}, "objectives"),
                            ({"condition": {"current_density_ma_cm2": -3, "capacity_mah_cm2": 1}}, "condition")):
            response = http.post("/v1/campaigns", json={"name": "x", "metal": "Li", **body})
            assert response.status_code == 422, response.text
            assert field in response.json()["detail"][0]["loc"], response.json()
        response = http.get(f"/v1/campaigns/{campaign['id']}/recommendation", params={"current_ma_cm2": 0, "capacity_mah_cm2": 1})
        assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "current_ma_cm2"]
    assert counts(pg_stack.settings, campaign["id"]) == before


def test_states_objectives_and_conditions_round_trip(pg_client):
    campaign = pg_client.create_campaign("outcomes-pareto", "Li", physics="none", space=SMALL,
                                         objectives=["lifetime", "overpotential"],
                                         condition={"current_density_ma_cm2": 3, "capacity_mah_cm2": 1})
    assert campaign["objectives"] == ["lifetime", "overpotential"]
    rows = [{"recipe": "Li@(1ALD-1MLD)5", "lifetime_h": 200.0, "overpotential_mv": 30.0},
            {"recipe": "Li@(2ALD-2MLD)10", "lifetime_h": 500.0, "overpotential_mv": 60.0, "state": "stopped"},
            {"recipe": "Li@(3ALD-3MLD)12", "lifetime_h": 400.0, "overpotential_mv": 90.0,
             "condition": {"current_density_ma_cm2": 1, "capacity_mah_cm2": 1}},
            {"recipe": "Li@(1ALD-3MLD)2", "state": "failed", "failure_reason": "film did not grow"},
            {"recipe": "Li@(2ALD-1MLD)8", "lifetime_h": 100.0, "censored": True, "cell_id": "r1"}]
    stored = pg_client.measure(campaign["id"], rows)["measurements"]
    assert [m["state"] for m in stored] == ["shorted", "stopped", "shorted", "failed", "running"]
    assert stored[3]["lifetime_h"] is None and stored[3]["failure_reason"] == "film did not grow"
    running = stored[4]["id"]
    assert pg_client.update_measurement(campaign["id"], running, 150.0)["state"] == "running"
    assert pg_client.update_measurement(campaign["id"], running, 300.0, False)["state"] == "shorted"
    best = pg_client.recommendation(campaign["id"])
    assert 1 <= len(best["pareto"]) <= 12
    assert {"predicted_overpotential_mv", "overpotential_interval_mv", "interval_h"} <= set(best["pareto"][0])
    assert best["condition"] == {"current_ma_cm2": 3.0, "capacity_mah_cm2": 1.0}
    other = pg_client.recommendation(campaign["id"], condition=(1.0, 1.0))
    assert other["condition"] == {"current_ma_cm2": 1.0, "capacity_mah_cm2": 1.0}
    job = pg_client.wait(pg_client.propose(campaign["id"], 2))
    assert len(job["proposals"]) == 2


def test_cli_refuses_a_bad_objective_or_condition_with_exit_code_2(capsys):
    from interlayer.service.cli import main
    for args, word in ((["--constraint", "capacity_fade<=3"], "capacity_fade"), (["--objectives", "lifetime,cost"], "cost"),
                       (["--condition", "0,1"], "current_ma_cm2")):
        with pytest.raises(SystemExit) as caught:
            main(["campaign", "create", "x", "--metal", "Li", "--url", "http://127.0.0.1:9", *args])
        assert caught.value.code == 2
        lines = capsys.readouterr().err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and word in lines[0]


def _document(data) -> str:
    return json.dumps({"schema_version": tables.DOCUMENT_SCHEMA_VERSION, "data": data})


def test_a_campaign_stored_before_the_migration_still_proposes(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'old.sqlite'}", redis_url=None)
    engine = engine_for(settings)
    with engine.connect() as connection:
        config = alembic_config(settings.database_url)
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        connection.commit()
    space = {"metal": "Na", "max_ald_cycles": 2, "max_mld_cycles": 2, "max_supercycles": 30}
    options = {"seed": 0, "physics": "none", "acquisition": "ucb", "related_campaigns": [], "condition": None}
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO campaigns (id, owner, name, metal, space, options, data_version, lock_version, "
                                   "created_at) VALUES ('cmp_old', 'lab', 'old', 'Na', :space, :options, 2, 0, '2026-01-01')"),
                           {"space": _document(space), "options": _document(options)})
        for i, (recipe, hours, censored) in enumerate([("Na@(1ALD-1MLD)10", 1800.0, True), ("Na@(1ALD-1MLD)20", 900.0, False),
                                                       ("Na@(2ALD-2MLD)5", 700.0, False)]):
            connection.execute(sa.text("INSERT INTO measurements (id, campaign_id, recipe, lifetime_h, censored, cell_id, "
                                       "created_at, updated_at) VALUES (:id, 'cmp_old', :recipe, :hours, :censored, :cell, "
                                       "'2026-01-01', '2026-01-01')"),
                               {"id": f"msr_{i}", "recipe": recipe, "hours": hours, "censored": censored, "cell": f"c{i}"})
    migrate(settings)
    with transaction(settings) as session:
        states = session.scalars(select(tables.Measurement.state).order_by(tables.Measurement.id)).all()
        state = load_state(session, "cmp_old")
    assert states == ["running", "shorted", "shorted"]
    campaign = state.build()
    assert len(campaign.measurements) == 3 and campaign.measurements[0].censored
    assert len(campaign.ask(2)) == 2
    assert str(campaign.recommend().recipe).startswith("Na@")
