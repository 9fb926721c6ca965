"""Health, readiness, OpenAPI, stored JSON with its schema version, and the CLI against a running service."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import httpx
import pytest
from conftest import make_client
from sqlalchemy import text
from typer.testing import CliRunner

from interlayer.service.cli import app, main
from interlayer.service.client import Client
from interlayer.service.store.db import engine_for
from interlayer.service.usecases.keys import create_key


def test_health_readiness_and_openapi(pg_stack):
    url = pg_stack.api.url
    assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{url}/readyz")
    assert ready.status_code == 200 and ready.json()["worker"].startswith("ok")
    paths = httpx.get(f"{url}/openapi.json").json()["paths"]
    for path in ("/v1/campaigns", "/v1/campaigns/{campaign_id}/proposals", "/v1/campaigns/{campaign_id}/measurements",
                 "/v1/campaigns/{campaign_id}/recommendation", "/v1/simulations", "/v1/jobs/{job_id}",
                 "/v1/jobs/{job_id}/cancel"):
        assert path in paths
    assert httpx.get(f"{url}/v1/campaigns").status_code == 401
    assert httpx.get(f"{url}/v1/campaigns", headers={"Authorization": "Bearer il_wrong"}).status_code == 401


def test_keys_are_stored_hashed_and_json_carries_a_schema_version(pg_stack):
    secret = create_key(pg_stack.settings, "hash-check")
    with make_client(pg_stack, "schema-check") as client:
        campaign = client.create_campaign("stored", "Na", physics="none")
    with engine_for(pg_stack.settings).connect() as connection:
        hashes = connection.execute(text("SELECT key_hash FROM api_keys")).scalars().all()
        space = connection.execute(text("SELECT space FROM campaigns WHERE id = :id"), {"id": campaign["id"]}).scalar()
    assert secret not in hashes and all(len(h) == 64 for h in hashes)
    assert space["schema_version"] == 1 and space["data"]["metal"] == "Na"


def test_cli_campaign_propose_measure_recommend(pg_stack, tmp_path, monkeypatch):
    monkeypatch.setenv("INTERLAYER_DATABASE_URL", pg_stack.settings.database_url)
    runner = CliRunner()
    created = runner.invoke(app, ["keys", "create", "--owner", "cli-lab"])
    assert created.exit_code == 0, created.output
    common = ["--url", pg_stack.api.url, "--api-key", created.output.strip().splitlines()[-1]]
    made = runner.invoke(app, ["campaign", "create", "cli", "--metal", "Na", "--max-ald-cycles", "3",
                               "--max-mld-cycles", "3", "--max-supercycles", "40", "--physics", "none", "--json", *common])
    assert made.exit_code == 0, made.output
    campaign_id = json.loads(made.output)["id"]
    proposed = runner.invoke(app, ["propose", campaign_id, "-n", "2", "--wait", "--json", *common])
    assert proposed.exit_code == 0, proposed.output
    recipes = [p["recipe"] for p in json.loads(proposed.output.strip().splitlines()[-1])]
    assert len(recipes) == 2
    csv_file = tmp_path / "cells.csv"
    csv_file.write_text("recipe,lifetime_h,censored\n" + "".join(f"{r},{800 + 100 * i},false\n" for i, r in enumerate(recipes)))
    measured = runner.invoke(app, ["measure", campaign_id, str(csv_file), "--json", *common])
    assert measured.exit_code == 0 and json.loads(measured.stdout)["stored rows"] == 2
    assert f"{pg_stack.api.url}/jobs/job_" in measured.stderr  # the refit's page, beside the JSON
    recommended = runner.invoke(app, ["recommend", campaign_id, "--json", *common])
    assert recommended.exit_code == 0 and json.loads(recommended.output)["data_version"] == 1
    listed = runner.invoke(app, ["campaign", "list", "--json", *common])
    assert [c["id"] for c in json.loads(listed.output)] == [campaign_id]


def test_cli_simulate_remote_prints_what_a_local_run_prints(pg_stack, monkeypatch):
    monkeypatch.setenv("INTERLAYER_API_KEY", create_key(pg_stack.settings, "remote-lab"))
    runner = CliRunner()
    czm = ["simulate", "czm", "--metal", "Li", "--recipe", "(2ALD-1MLD)12", "--strength-mpa", "150", "--json"]
    local = runner.invoke(app, czm)
    remote = runner.invoke(app, [*czm, "--remote", pg_stack.api.url])
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    assert json.loads(remote.stdout) == json.loads(local.stdout)
    # The same inputs again are served from the service's cache: one stored simulation for them.
    again = runner.invoke(app, [*czm, "--remote", pg_stack.api.url])
    assert json.loads(again.stdout) == json.loads(local.stdout)
    with engine_for(pg_stack.settings).connect() as connection:
        stored = connection.execute(text("SELECT count(*) FROM simulations WHERE recipe = 'Li@(2ALD-1MLD)12'")).scalar()
    assert stored == 1

    phasefield = ["simulate", "phasefield", "--metal", "Na", "--recipe", "(1ALD-1MLD)10", "--overpotential-v", "-0.12"]
    local = json.loads(runner.invoke(app, [*phasefield, "--json"]).stdout)
    shown = runner.invoke(app, [*phasefield, "--remote", pg_stack.api.url])
    assert shown.exit_code == 0, shown.output
    assert "amplitude_ratio" in shown.stdout and "phase field Na@(1ALD-1MLD)10" in shown.stdout
    remote = json.loads(runner.invoke(app, [*phasefield, "--json", "--remote", pg_stack.api.url]).stdout)
    assert {k: v for k, v in remote.items() if k != "wall_s"} == {k: v for k, v in local.items() if k != "wall_s"}


def test_cli_simulate_remote_refuses_what_only_runs_here(pg_stack, capsys):
    for args, word in ((["--thickness-nm", "4"], "--recipe"), (["--recipe", "(1ALD-1MLD)10", "--api-key", "il_wrong"], "401")):
        with pytest.raises(SystemExit) as exit_info:
            main(["simulate", "czm", "--metal", "Li", *args, "--remote", pg_stack.api.url])
        assert exit_info.value.code == 2
        error = capsys.readouterr().err
        assert error.startswith("error: ") and word in error


def test_cli_tables_keep_ids_and_recipes_whole_at_80_columns_and_name_the_job_page(pg_stack):
    key = create_key(pg_stack.settings, f"narrow-{uuid.uuid4().hex[:6]}")
    with Client(pg_stack.api.url, key) as client:
        campaign = client.create_campaign("a campaign with a rather long name for a narrow terminal", "Li",
                                          physics="none", space={"max_ald_cycles": 10, "max_mld_cycles": 10})
    environment = {k: v for k, v in os.environ.items() if not k.startswith("INTERLAYER_")} | {
        "COLUMNS": "80", "INTERLAYER_API_KEY": key, "INTERLAYER_URL": pg_stack.api.url}

    def interlayer(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "interlayer.service", *args], env=environment,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        # the tables fit the terminal; only the job's URL, which must not break, may run past it
        assert max(len(line) for line in done.stdout.splitlines() if not line.startswith("job ")) <= 80
        return done.stdout

    assert campaign["id"] in interlayer("campaign", "list")
    printed = interlayer("propose", campaign["id"], "-n", "3", "--wait")
    with Client(pg_stack.api.url, key) as client:
        batch = client.proposals(campaign["id"], "pending")
    assert len(batch) == 3
    for proposal in batch:
        row = next(line for line in printed.splitlines() if proposal["id"] in line)
        assert proposal["recipe"] in row  # on the same line, whole
    assert f"{pg_stack.api.url}/jobs/job_" in printed
    queued = interlayer("propose", campaign["id"], "-n", "1")
    assert f"{pg_stack.api.url}/jobs/job_" in queued


def test_cli_simulate_czm_remote_prints_a_summary_and_its_job_page(pg_stack, monkeypatch):
    monkeypatch.setenv("INTERLAYER_API_KEY", create_key(pg_stack.settings, "summary-lab"))
    czm = ["simulate", "czm", "--metal", "Li", "--recipe", "(1ALD-1MLD)10", "--remote", pg_stack.api.url]
    shown = CliRunner().invoke(app, czm)
    assert shown.exit_code == 0, shown.output
    assert f"{pg_stack.api.url}/jobs/job_" in shown.stdout and "debond_length_nm" in shown.stdout
    assert "[" not in shown.stdout  # no profile arrays in the table
    arrays = json.loads(CliRunner().invoke(app, [*czm, "--json"]).stdout)
    assert any(isinstance(value, list) and len(value) > 10 for value in arrays.values())
