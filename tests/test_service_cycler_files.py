"""Cells straight from the cycler, through the service (issue 27): a tester's file uploaded (202 and a job),
the cell created or updated from it with the file kept; the same bytes twice change nothing; a growing file's
hours only rise and its state ends once; a hand-entered cell keeps its values and a rejected detection goes
back to them; bad files are 4xx naming the problem with nothing stored."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import numpy as np
import pytest
from sqlalchemy import func, select

from interlayer.evaluation.cycler_exports import write_export
from interlayer.evaluation.symmetric_cell import SymmetricCell, generate
from interlayer.service.client import JobFailed
from interlayer.service.store import tables
from interlayer.service.store.db import transaction

SMALL = {"max_ald_cycles": 3, "max_mld_cycles": 3, "max_supercycles": 30}
RECIPE = "Li@(2ALD-2MLD)5"
DATA = Path(__file__).parent / "data" / "cyclers"
CELL = SymmetricCell("Li", 1.0, 1.0, area_cm2=1.13, cycles=30, short_kind="soft", short_cycle=18.4, rest_s=60.0)


def trace_file(tmp_path: Path, fmt: str = "arbin_csv", rows: int | None = None, cell: SymmetricCell = CELL) -> tuple[Path, dict]:
    time_s, current_a, voltage_v, truth = generate(cell, np.random.default_rng(3))
    name, data = write_export(fmt, time_s[:rows], current_a[:rows], voltage_v[:rows])
    path = tmp_path / f"{rows or 'all'}-{name}"
    path.write_bytes(data)
    return path, truth


def stored(settings, campaign_id: str) -> tuple[int, int, int]:
    with transaction(settings) as session:
        return (session.scalar(select(func.count()).where(tables.CyclerFile.campaign_id == campaign_id)),
                session.scalar(select(func.count()).where(tables.Measurement.campaign_id == campaign_id)),
                session.get(tables.Campaign, campaign_id).data_version)


def test_a_new_cell_from_its_file_then_the_growing_file_and_the_same_bytes_again(pg_stack, pg_client, tmp_path):
    campaign = pg_client.create_campaign("cycler-new", "Li", physics="none", space=SMALL)
    # the test still running: the first 40 % of the trace
    partial, truth = trace_file(tmp_path, rows=int(0.4 * 2 * CELL.cycles * 130))
    answer = pg_client.upload_cell_file(campaign["id"], partial, recipe=RECIPE, cell_id="A1", area_cm2=1.13)
    assert answer["file"]["status"] == "queued" and answer["file"]["instrument"] == "Arbin CSV export"
    job = pg_client.wait(answer["job"])
    (cell,) = pg_client.measurements(campaign["id"])
    assert (cell["cell_id"], cell["state"], cell["censored"]) == ("A1", "running", True)
    running_h = cell["lifetime_h"]
    assert cell["condition"] == {"current_density_ma_cm2": 1.0, "capacity_mah_cm2": 1.0}
    assert job["result"]["measurement_id"] == cell["id"]
    # the same bytes again: the stored file and its job, nothing changed
    before = stored(pg_stack.settings, campaign["id"])
    again = pg_client.upload_cell_file(campaign["id"], partial, recipe=RECIPE, cell_id="A1", area_cm2=1.13)
    assert (again["file"]["id"], again["job"]["id"]) == (answer["file"]["id"], answer["job"]["id"])
    assert stored(pg_stack.settings, campaign["id"]) == before
    # the whole file: the short, once; hours rose
    full, truth = trace_file(tmp_path)
    pg_client.wait(pg_client.upload_cell_file(campaign["id"], full, measurement_id=cell["id"], area_cm2=1.13)["job"])
    (cell,) = pg_client.measurements(campaign["id"])
    assert cell["state"] == "shorted" and cell["lifetime_h"] > running_h
    assert abs(cell["lifetime_h"] - truth["short_h"]) <= truth["cycle_h"]
    assert cell["overpotential_mv"] == pytest.approx(truth["overpotential_mv"], rel=0.05)
    files = pg_client.cell_files(campaign["id"], cell["id"])
    assert [f["model_uses"] for f in files] == ["hand", "file"]
    assert files[1]["analysis"]["short"]["kind"] == "soft" and len(files[1]["content_sha256"]) == 64
    assert files[1]["reader"].startswith("polars ") and files[1]["uploader"]
    # a longer file after the short finds the same short: the cell's values stand
    longer, _ = trace_file(tmp_path, cell=SymmetricCell(**{**CELL.__dict__, "cycles": 36}))
    job = pg_client.wait(pg_client.upload_cell_file(campaign["id"], longer, measurement_id=cell["id"], area_cm2=1.13)["job"])
    assert job["message"] == "the cell already has these values"
    # a file with the short elsewhere, after the cell ended: refused by the cell's history, the cell unchanged
    other, _ = trace_file(tmp_path, cell=SymmetricCell(**{**CELL.__dict__, "short_cycle": 24.5}))
    job = pg_client.wait(pg_client.upload_cell_file(campaign["id"], other, measurement_id=cell["id"], area_cm2=1.13)["job"])
    assert job["message"].startswith("the cell keeps its values: cell 'A1' already failed at")
    assert pg_client.measurements(campaign["id"])[0]["lifetime_h"] == cell["lifetime_h"]


def test_a_hand_entered_cell_keeps_its_values_and_a_rejected_detection_goes_back_to_them(pg_stack, pg_client, tmp_path):
    # the electrode area stored on the campaign: the upload gives none
    campaign = pg_client.create_campaign("cycler-hand", "Li", physics="none", space=SMALL, electrode_area_cm2=1.13)
    (cell,) = pg_client.measure(campaign["id"], [{"recipe": RECIPE, "lifetime_h": 20.0, "censored": True,
                                                  "overpotential_mv": 50.0, "cell_id": "B7"}])["measurements"]
    path, truth = trace_file(tmp_path)
    pg_client.wait(pg_client.upload_cell_file(campaign["id"], path, measurement_id=cell["id"])["job"])
    (file,) = pg_client.cell_files(campaign["id"], cell["id"])
    assert (file["model_uses"], file["area_cm2"]) == ("file", 1.13)
    assert file["analysis"]["current_density_ma_cm2"] == 1.0
    assert (file["hand_values"]["lifetime_h"], file["hand_values"]["overpotential_mv"]) == (20.0, 50.0)
    assert pg_client.measurements(campaign["id"])[0]["state"] == "shorted"
    shown = pg_client._call("GET", f"/v1/campaigns/{campaign['id']}/measurements/{cell['id']}/files/{file['id']}")
    assert 0 < len(shown["trace"]["time_h"]) <= 4000
    rejected = pg_client._call("POST", f"/v1/campaigns/{campaign['id']}/measurements/{cell['id']}/files/{file['id']}/rejection")
    assert (rejected["status"], rejected["model_uses"]) == ("rejected", "hand")
    (back,) = pg_client.measurements(campaign["id"])
    assert (back["lifetime_h"], back["state"], back["overpotential_mv"]) == (20.0, "running", 50.0)


def test_a_real_instrument_file_is_stored_and_its_job_fails_with_the_reason(pg_stack, pg_client):
    campaign = pg_client.create_campaign("cycler-real", "Li", physics="none", space=SMALL)
    answer = pg_client.upload_cell_file(campaign["id"], DATA / "maccor_001.txt", recipe=RECIPE, area_cm2=1.0)
    with pytest.raises(JobFailed, match="full or half cell"):
        pg_client.wait(answer["job"])
    assert pg_client.measurements(campaign["id"]) == []


def _bad_uploads(tmp_path: Path) -> list[tuple[str, bytes, dict, int, list, str]]:
    good, _ = trace_file(tmp_path)
    text = good.read_text().splitlines()
    nan = "\n".join(text[:50] + [text[50].rsplit(",", 1)[0] + ",nan"] + text[51:])
    clock = text[:100] + text[60:]  # 40 rows again: the clock runs back
    ndax = (DATA / "20260302_IFE_BTS85_2_9_8_1.ndax").read_bytes()
    png = b"\x89PNG\r\n\x1a\n" + bytes(100)
    return [
        ("empty.csv", b"", {}, 422, ["body", "file"], "is empty"),
        ("cut.ndax", ndax[: len(ndax) // 3], {}, 422, ["body", "file"], "not a Neware .ndax"),
        ("photo.mpr", png, {}, 422, ["body", "file"], "not a BioLogic .mpr"),
        ("photo.png", png, {}, 415, ["body", "file"], "unknown format .png"),
        ("cell.res", (DATA / "20160805_test001_45_cc_01.res").read_bytes(), {}, 415, ["body", "file"], "export the test as CSV"),
        ("nan.csv", nan.encode(), {}, 422, ["body", "file", "voltage_v"], "not a finite number at data row 50"),
        ("clock.csv", "\n".join(clock).encode(), {}, 422, ["body", "file", "time_s"], "backwards at data row 100"),
        ("good.csv", good.read_bytes(), {"area_cm2": "0"}, 422, ["body", "area_cm2"], "greater than 0"),
    ]


def test_bad_files_are_4xx_naming_the_problem_and_store_nothing(pg_stack, pg_client, tmp_path):
    campaign = pg_client.create_campaign("cycler-bad", "Li", physics="none", space=SMALL)
    before = stored(pg_stack.settings, campaign["id"])
    path = f"/v1/campaigns/{campaign['id']}/measurements/files"
    with httpx.Client(base_url=pg_stack.api.url, headers=dict(pg_client.http.headers), timeout=60) as http:
        for name, data, fields, status, location, words in _bad_uploads(tmp_path):
            response = http.post(path, files={"file": (name, data)}, data={"recipe": RECIPE, "area_cm2": "1.13", **fields})
            assert response.status_code == status, (name, response.text)
            detail = response.json()["detail"][0]
            assert detail["loc"] == location and words in detail["msg"], (name, detail)
        oversized = http.post(path, content=(b"x" * 1_000_000 for _ in range(152)),
                              headers={"Content-Type": "multipart/form-data; boundary=b"})
        assert oversized.status_code == 413 and "limit" in oversized.json()["detail"][0]["msg"]
    assert stored(pg_stack.settings, campaign["id"]) == before


def test_the_cli_uploads_a_cell_file_and_prints_what_it_read(pg_stack, tmp_path, capsys):
    from interlayer.service.cli import main
    from interlayer.service.client import Client
    from interlayer.service.usecases.keys import create_key

    key = create_key(pg_stack.settings, "cycler-cli")
    with Client(pg_stack.api.url, key) as client:
        campaign = client.create_campaign("cycler-cli", "Li", physics="none", space=SMALL)
    path, truth = trace_file(tmp_path, "maccor_txt")
    remote = ["--url", pg_stack.api.url, "--api-key", key]
    with pytest.raises(SystemExit) as exit_code:
        main(["cells", "upload", str(path), "--campaign", campaign["id"], "--recipe", RECIPE, "--area-cm2", "1.13", *remote, "--json"])
    assert exit_code.value.code == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["instrument"], shown["analysis"]["state"], shown["model_uses"]) == ("Maccor text export", "shorted", "file")
    assert abs(shown["analysis"]["lifetime_h"] - truth["short_h"]) <= truth["cycle_h"]
    with pytest.raises(SystemExit) as exit_code:
        main(["cells", "upload", str(DATA / "20160805_test001_45_cc_01.res"), "--campaign", campaign["id"], "--recipe", RECIPE,
              "--area-cm2", "1", *remote])
    assert exit_code.value.code == 2 and "HTTP 415" in capsys.readouterr().err


def test_a_cell_corrected_by_hand_after_its_file_keeps_both_values_and_says_the_model_uses_the_hand(pg_stack, pg_client, tmp_path):
    campaign = pg_client.create_campaign("cycler-corrected", "Li", physics="none", space=SMALL)
    partial, _ = trace_file(tmp_path, rows=int(0.4 * 2 * CELL.cycles * 130))
    job = pg_client.wait(pg_client.upload_cell_file(campaign["id"], partial, recipe=RECIPE, cell_id="C3", area_cm2=1.13)["job"])
    file_hours = job["result"]["lifetime_h"]
    pg_client.update_measurement(campaign["id"], job["result"]["measurement_id"], file_hours + 5.0, state="running")
    (file,) = pg_client.cell_files(campaign["id"], job["result"]["measurement_id"])
    assert file["model_uses"] == "hand" and file["analysis"]["applied_values"]["lifetime_h"] == file_hours
    assert pg_client.measurements(campaign["id"])[0]["lifetime_h"] == file_hours + 5.0
