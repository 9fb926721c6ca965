"""The dashboard in a real browser: Playwright drives Debian's Chromium against a live ``interlayer serve``
process with its worker process and embedded broker (``served_stack``). A lab signs in, creates a
campaign through the form, proposes a batch and watches the job finish, enters cells, uploads a CSV
with a bad row, downloads the worksheet and sees the recommendation and every plot drawn. Each page's screenshot goes under the test's tmp folder.
"""

from __future__ import annotations

import csv
import json
import re
import time
import uuid
from pathlib import Path

import pytest
from conftest import make_client
from playwright.sync_api import Error as PlaywrightError

from interlayer.service.client import Client
from interlayer.service.usecases.keys import create_key

PLOTS = ("lifetime", "unit_map", "progress", "survival", "probability_best", "physics")
# A small space and no physics prior: the browser flow is what is tested, not the model.
SPACE = {"max_ald_cycles": "3", "max_mld_cycles": "3", "max_supercycles": "40", "max_thickness_nm": "20"}
SLOW_MS = 180_000


class Lab:
    """A signed-in browser tab of one owner, collecting console errors and numbering its screenshots."""

    def __init__(self, browser, stack, folder: Path):
        self.owner = f"lab-{uuid.uuid4().hex[:6]}"
        self.key = create_key(stack.settings, self.owner)
        self.url, self.folder, self.shots = stack.api.url, folder, 0
        self.context = browser.new_context(accept_downloads=True)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.seen_urls: list[str] = []
        self.page.on("request", lambda request: self.seen_urls.append(request.url))

    def shot(self, name: str) -> None:
        self.shots += 1
        self.page.screenshot(path=str(self.folder / f"{self.shots:02d}-{name}.png"), full_page=True)

    def sign_in(self, path: str = "/campaigns") -> None:
        self.page.goto(self.url + path)
        assert "/signin" in self.page.url  # no session: the page sends us to sign in first
        self.shot("signin")
        self.page.fill("input[name=api_key]", self.key)
        self.page.click("#signin button[type=submit]")
        self.page.wait_for_url(self.url + path)

    def settle(self, timeout_s: float = SLOW_MS / 1000) -> None:
        """Until no job bar is left on the page: a job that finishes reloads the page, so forms are filled
        only on the page that stays (as a person waits for the bar before typing)."""
        deadline = time.monotonic() + timeout_s
        quiet = 0
        while quiet < 2:  # twice in a row: not the blank moment of a reload
            assert time.monotonic() < deadline, "a job bar did not finish"
            self.page.wait_for_load_state()
            try:
                quiet = quiet + 1 if self.page.locator("[data-job]").count() == 0 else 0
            except PlaywrightError:  # the page navigated while we looked
                quiet = 0
            self.page.wait_for_timeout(200)

    def expect_refused(self) -> None:
        """A form refused on purpose: the browser reports its 422 in the console, and nothing else."""
        assert self.errors and all("422" in error for error in self.errors), self.errors
        self.errors.clear()

    def close(self) -> None:
        self.shot("last")  # where a failed test stopped
        self.context.close()


@pytest.fixture()
def lab(browser, served_stack, tmp_path):
    lab = Lab(browser, served_stack, tmp_path)
    yield lab
    lab.close()


def fill_campaign_form(page, name: str, metal: str) -> None:
    """The new-campaign form's name, metal, no physics prior and the small space."""
    page.fill("input[name=name]", name)
    page.select_option("select[name=metal]", metal)
    page.select_option("select[name=physics]", "none")
    for field, value in SPACE.items():
        page.fill(f"input[name='space.{field}']", value)


def create_campaign(lab: Lab) -> str:
    page = lab.page
    page.click("text=New campaign")
    fill_campaign_form(page, "Na films in the browser", "Na")
    page.fill("input[name='space.max_supercycles']", "0")
    page.click("#new-campaign button[type=submit]")
    # refused beside its field, nothing created
    assert page.locator("[data-field='space.max_supercycles']").inner_text().startswith("Input should be greater")
    lab.shot("new-campaign-error")
    lab.expect_refused()
    page.fill("input[name='space.max_supercycles']", SPACE["max_supercycles"])
    page.click("#new-campaign button[type=submit]")
    page.wait_for_url(f"{lab.url}/campaigns/cmp_*")
    return page.url.rsplit("/", 1)[-1]


def propose_batch(lab: Lab, client: Client, count: int) -> None:
    page = lab.page
    polled: list[dict] = []

    def record(route) -> None:
        # the progress bar's polls, read here before the page gets them (the page reloads once it sees success)
        response = route.fetch()
        polled.append(response.json())
        route.fulfill(response=response)

    lab.settle()  # the new campaign's first fit
    page.route("**/jobs/*/status", record)
    page.fill("#propose input[name=count]", str(count))
    page.click("#propose button[type=submit]")
    page.wait_for_url(lambda url: "job=" in url)
    job_id = page.url.split("job=")[1].split("#")[0]
    lab.settle()
    page.unroute("**/jobs/*/status")
    page.wait_for_selector(f"#worksheet tbody tr >> nth={count - 1}", timeout=SLOW_MS)  # a loaded machine: the reload can lag
    # the bar followed the proposal job to its end (no bar at all when it had ended before the page was drawn)
    assert {job["id"] for job in polled} <= {job_id}
    assert (polled[-1] if polled else client.job(job_id))["status"] == "succeeded"
    lab.shot("worksheet")


def check_worksheet_csv(lab: Lab, client, campaign_id: str) -> list[dict]:
    with lab.page.expect_download() as download:
        lab.page.click("#worksheet-csv")
    rows = list(csv.DictReader(open(download.value.path(), encoding="utf-8")))
    pending = client.proposals(campaign_id, "pending")
    assert [row["proposal_id"] for row in rows] == [p["id"] for p in pending]
    for row, proposal in zip(rows, pending):
        assert row["recipe"] == proposal["recipe"]
        assert float(row["thickness_nm"]) == pytest.approx(proposal["thickness_nm"], abs=0.01)
        assert float(row["predicted_lifetime_h"]) == pytest.approx(proposal["predicted_lifetime_h"], abs=0.5)
        assert row["deposition_sequence"].startswith(f"{proposal['supercycles']} × [")
    return pending


def enter_cells(lab: Lab, pending: list[dict]) -> None:
    """Four cells through the form: two shorted, one stopped (censored) and one still running (the longest),
    whose hours are then updated inline."""
    page = lab.page
    # every field's error at once: a recipe outside the space (4 ALD cycles; the space's units have 1-3), negative
    # hours and a failed cell without its reason
    lab.settle()
    page.fill("#add-measurement input[name=recipe]", "(4ALD-1MLD)5")
    page.fill("#add-measurement input[name=lifetime_h]", "-5")
    page.select_option("#add-measurement select[name=state]", "failed")
    page.click("#add-measurement button[type=submit]")
    assert page.locator("[data-field='recipe']").inner_text() == (
        "Na@(4ALD-1MLD)5 lies outside this campaign's design space: ALD cycles per unit 4 outside the space's 1–3")
    assert page.locator("[data-field='lifetime_h']").inner_text() == "Input should be greater than 0"
    assert "a failed cell needs its failure_reason" in page.locator("[data-field='failure_reason']").inner_text()
    lab.shot("measurement-error")
    lab.expect_refused()
    page.fill("#add-measurement input[name=recipe]", "")
    for proposal, hours, state in zip(pending, ("650", "900", "1200", "2400"), ("shorted", "shorted", "stopped", "running")):
        page.select_option("#add-measurement select[name=proposal_id]", proposal["id"])
        page.fill("#add-measurement input[name=lifetime_h]", hours)
        page.select_option("#add-measurement select[name=state]", state)
        page.fill("#add-measurement input[name=cell_id]", f"cell-{proposal['id'][-4:]}")
        page.click("#add-measurement button[type=submit]")
        page.wait_for_selector(f"#measurements tr[data-measurement] >> text=cell-{proposal['id'][-4:]}")
        lab.settle()  # the refit of the new cell
    # the running cell has cycled on: its hours rise in place, and it is still a lower bound
    running = page.locator("#measurements tr[data-measurement]", has_text=f"cell-{pending[3]['id'][-4:]}")
    running.locator("input[name=lifetime_h]").fill("2600")
    running.locator("button[type=submit]").click()
    page.wait_for_selector("#measurements >> text=≥ 2,600 h")
    lab.settle()
    lab.shot("cells")


def upload_bad_csv(lab: Lab, client, campaign_id: str, recipe: str, folder: Path) -> None:
    path = folder / "cells.csv"
    path.write_text(f"recipe,lifetime_h,censored\n{recipe},700,false\n{recipe},-3,false\n")
    before = client.measurements(campaign_id)
    lab.page.set_input_files("#upload input[type=file]", str(path))
    lab.page.click("#upload button[type=submit]")
    errors = lab.page.locator("#upload-errors")
    assert "lifetime_h" in errors.inner_text() and "2" in errors.locator("td").first.inner_text()
    lab.shot("upload-error")
    lab.expect_refused()
    assert client.measurements(campaign_id) == before  # nothing stored


def check_recommendation_and_plots(lab: Lab, campaign_id: str) -> None:
    page = lab.page
    page.goto(f"{lab.url}/campaigns/{campaign_id}")
    page.wait_for_selector("#recommended-recipe", timeout=SLOW_MS)  # the refit job ends, the page reloads
    page.wait_for_selector("#plot-physics .main-svg", timeout=30_000)
    card = page.locator("#recommendation").inner_text()
    assert "90 % interval" in card and "probability of being best" in card and "conservative pick" in card
    # the longest cell is still running: the best observed is a lower bound
    assert "lower bound" in page.locator("#best-observed").inner_text()
    assert page.locator("#data-version").inner_text().startswith("5")  # four cells, then one update
    for name in PLOTS:
        traces = page.evaluate(f"document.getElementById('plot-{name}').data.length")
        drawn = page.locator(f"#plot-{name} .main-svg").count()
        assert traces > 0 and drawn > 0, name
    lab.shot("campaign")


def test_a_lab_runs_a_campaign_in_the_browser(lab, served_stack, tmp_path):
    with Client(served_stack.api.url, lab.key, timeout_s=120) as client:
        lab.sign_in()
        campaign_id = create_campaign(lab)
        propose_batch(lab, client, 4)
        pending = check_worksheet_csv(lab, client, campaign_id)
        enter_cells(lab, pending)
        cells = client.measurements(campaign_id)
        assert len(cells) == 4 and sorted((c["lifetime_h"], c["censored"]) for c in cells) == [
            (650.0, False), (900.0, False), (1200.0, True), (2600.0, True)]
        upload_bad_csv(lab, client, campaign_id, pending[0]["recipe"], tmp_path)
        check_recommendation_and_plots(lab, campaign_id)
        lab.page.goto(f"{lab.url}/campaigns")
        assert lab.page.locator("#campaigns").inner_text().count("Na films in the browser") == 1
        lab.shot("campaigns")
    assert lab.errors == []
    # the key went into one form field; it is in no page, no URL and no log line
    assert all(lab.key not in url for url in lab.seen_urls)
    assert lab.key not in lab.page.content()
    logs = list(Path(served_stack.log_dir).glob("*.log"))  # the API's output (serve.log) and the worker's
    assert any(log.name == "serve.log" for log in logs) and any(log.name.startswith("worker") for log in logs)
    for log in logs:
        assert lab.key not in log.read_text(errors="replace")


def test_pages_keep_owners_apart_and_refuse_forged_forms(lab, served_stack):
    with make_client(served_stack, "another-lab") as other:
        theirs = other.create_campaign("someone else's", "Li", physics="none")
    page = lab.page
    page.goto(f"{lab.url}/campaigns/{theirs['id']}")
    assert "/signin" in page.url  # no session yet
    lab.sign_in()
    for path in (f"/campaigns/{theirs['id']}", "/campaigns/cmp_doesnotexist"):
        assert page.goto(lab.url + path).status == 404  # another owner's is exactly a missing one
    lab.shot("not-found")
    forged = page.request.post(f"{lab.url}/campaigns/new", form={"name": "forged", "metal": "Na"}, max_redirects=0)
    assert forged.status == 403
    wrong = page.request.post(f"{lab.url}/campaigns/new", form={"name": "forged", "metal": "Na", "csrf_token": "x" * 43},
                              max_redirects=0)
    assert wrong.status == 403
    page.goto(f"{lab.url}/campaigns")
    assert "forged" not in page.content()
    cookie = next(c for c in lab.context.cookies() if c["name"] == "interlayer_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and lab.key not in cookie["value"]


def test_simulation_job_pages_show_progress_maps_and_opening(lab, served_stack):
    with Client(served_stack.api.url, lab.key, timeout_s=120) as client:
        phasefield = client.wait(client.simulate("phasefield", "Li", "(1ALD-1MLD)10"))
        czm = client.wait(client.simulate("czm", "Li", "(2ALD-2MLD)25"))
    lab.sign_in(f"/jobs/{phasefield['id']}")
    page = lab.page
    assert page.locator("#job-status").inner_text().startswith("succeeded")
    assert "amplitude ratio" in page.locator("#result").inner_text()
    page.wait_for_selector("#plot-stress .main-svg", state="attached", timeout=30_000)
    for name in ("order_parameter", "concentration", "amplitude", "stress", "surface"):
        assert page.evaluate(f"document.getElementById('plot-{name}').data.length") > 0, name
    # the order parameter map runs from electrolyte (0) to metal (1), each region named on it
    values = page.evaluate("document.getElementById('plot-order_parameter').data[0].z.flat()")
    assert min(values) < 0.05 and max(values) > 0.95
    labels = page.evaluate("document.getElementById('plot-order_parameter').layout.annotations.map(a => a.text)")
    assert sorted(labels) == ["electrolyte", "film", "metal"]
    # every length axis in nm, as drawn
    axes = {name: page.evaluate(f"(({{xaxis, yaxis}}) => [xaxis.title.text, yaxis.title.text])"
                                f"(document.getElementById('plot-{name}').layout)")
            for name in ("order_parameter", "concentration", "stress", "surface")}
    assert axes["surface"] == ["position along the surface (nm)", "height (nm)"]
    assert all(x.endswith("(nm)") and (name == "stress" or y.endswith("(nm)")) for name, (x, y) in axes.items())
    assert "acted at t = " in page.evaluate("document.getElementById('plot-stress').layout.title.text")
    # units as written in a paper, a status said once, times to the second in the reader's zone
    table = page.locator("#result").inner_text()
    assert "film modulus (GPa)" in table and "peak compression time (s)" in table
    assert page.locator("#job-status").inner_text() != "succeeded: succeeded"
    assert re.fullmatch(r"(.*\d\d:\d\d:\d\d.*) / (.*\d\d:\d\d:\d\d.*) / (.*\d\d:\d\d:\d\d.*)",
                        page.locator("#job-times").inner_text())
    assert "." not in page.locator("#job-times").inner_text().split(":")[-1]  # no microseconds
    lab.shot("phasefield-job")
    page.goto(f"{lab.url}/jobs/{czm['id']}")
    page.wait_for_selector("#plot-opening .main-svg", state="attached", timeout=30_000)
    opening = page.evaluate("document.getElementById('plot-opening').data[0].y")
    assert len(opening) > 10 and max(opening) > 0
    assert page.evaluate("document.getElementById('plot-opening').layout.xaxis.title.text") == "radius (nm)"
    assert "energy release rate (J m⁻²)" in page.locator("#result").inner_text()
    lab.shot("czm-job")
    assert lab.errors == []


def test_a_pareto_campaign_shows_its_front_failed_cells_and_test_conditions(lab, served_stack):
    """Two objectives at a target condition: the predicted Pareto set as a table and a plot, P(feasible) and
    the failed cells on the unit map, each cell's state and condition; a stopped cell at another condition
    and a failed one entered through the form keep their state, reason and condition."""
    target, other = {"current_density_ma_cm2": 3.0, "capacity_mah_cm2": 1.0}, {"current_density_ma_cm2": 1.0, "capacity_mah_cm2": 1.0}
    with Client(served_stack.api.url, lab.key, timeout_s=120) as client:
        lab.sign_in("/campaigns/new")
        page = lab.page
        fill_campaign_form(page, "Li, life and overpotential", "Li")
        page.select_option("select[name=objectives]", "lifetime,overpotential")
        page.fill("input[name='condition.current_density_ma_cm2']", "0")
        page.fill("input[name='condition.capacity_mah_cm2']", "1")
        page.click("#new-campaign button[type=submit]")
        assert page.locator("[data-field='condition.current_density_ma_cm2']").inner_text().startswith("Input should be greater")
        lab.expect_refused()
        page.fill("input[name='condition.current_density_ma_cm2']", "3")
        page.fill("input[name=constraint]", "overpotential_mv<=60")  # a constraint goes with lifetime alone
        page.click("#new-campaign button[type=submit]")
        assert "lifetime objective alone" in page.locator(".error").first.inner_text()
        lab.expect_refused()
        assert client.campaigns() == []  # nothing created
        page.fill("input[name=constraint]", "")
        page.click("#new-campaign button[type=submit]")
        page.wait_for_url(f"{lab.url}/campaigns/cmp_*")
        campaign = client.campaign(page.url.rsplit("/", 1)[-1])
        assert (campaign["objectives"], campaign["condition"]) == (["lifetime", "overpotential"], target)
        client.measure(campaign["id"], [
            {"recipe": "Li@(1ALD-1MLD)5", "lifetime_h": 200.0, "overpotential_mv": 30.0},
            {"recipe": "Li@(2ALD-2MLD)10", "lifetime_h": 500.0, "overpotential_mv": 60.0, "state": "running"},
            {"recipe": "Li@(3ALD-3MLD)12", "lifetime_h": 400.0, "overpotential_mv": 90.0},
            {"recipe": "Li@(3ALD-1MLD)6", "state": "failed", "failure_reason": "film did not grow"}])
        page.reload()
        lab.settle()
        page.select_option("#add-measurement select[name=state]", "stopped")
        for name, value in (("recipe", "(1ALD-3MLD)8"), ("lifetime_h", "350"), ("overpotential_mv", "45"),
                            ("current_density_ma_cm2", "1"), ("capacity_mah_cm2", "1")):
            page.fill(f"#add-measurement input[name={name}]", value)
        page.click("#add-measurement button[type=submit]")
        page.wait_for_selector("#measurements >> text=(1ALD-3MLD)8")
        lab.settle()
        page.select_option("#add-measurement select[name=state]", "failed")
        page.fill("#add-measurement input[name=recipe]", "(3ALD-1MLD)7")
        page.fill("#add-measurement input[name=failure_reason]", "assembly fault")
        page.click("#add-measurement button[type=submit]")
        page.wait_for_selector("#measurements >> text=assembly fault")
        lab.settle()
        stored = {m["recipe"]: m for m in client.measurements(campaign["id"])}
        assert (stored["Li@(1ALD-3MLD)8"]["state"], stored["Li@(1ALD-3MLD)8"]["condition"]) == ("stopped", other)
        assert (stored["Li@(3ALD-1MLD)7"]["state"], stored["Li@(3ALD-1MLD)7"]["failure_reason"]) == ("failed", "assembly fault")
        recommendation = client.recommendation(campaign["id"])

    page.wait_for_selector("#plot-pareto .main-svg", timeout=SLOW_MS)
    rows = page.locator("#measurements tbody tr")
    texts = {rows.nth(k).locator("td").first.inner_text(): rows.nth(k).inner_text() for k in range(rows.count())}
    assert "stopped" in texts["Li@(1ALD-3MLD)8"] and "1 mA cm⁻², 1 mAh cm⁻²" in texts["Li@(1ALD-3MLD)8"]
    assert "failed: film did not grow" in texts["Li@(3ALD-1MLD)6"] and "target" in texts["Li@(1ALD-1MLD)5"]
    # the card's Pareto set is the API's, recipe by recipe
    assert page.locator("#pareto-set tbody tr").count() == len(recommendation["pareto"])
    assert page.locator("#pareto-set tbody tr td:first-child").all_inner_texts() == [e["recipe"] for e in recommendation["pareto"]]
    front = page.evaluate("document.getElementById('plot-pareto').data[0]")
    assert sorted(front["x"]) == pytest.approx(sorted(e["predicted_overpotential_mv"] for e in recommendation["pareto"]))
    # the stopped cell at another condition: hollow (a lower bound) with a dot (another condition), its id on hover
    other = page.evaluate("document.getElementById('plot-pareto').data.find(t => t.name === '(1ALD-3MLD) cells')")
    assert other["marker"]["symbol"] == ["circle-open-dot"] and "1 mA cm⁻², 1 mAh cm⁻²" in other["text"][0]
    unit_map = page.evaluate("document.getElementById('plot-unit_map').data")
    failed = next(trace for trace in unit_map if trace.get("name") == "failed cell")
    assert sorted(zip(failed["x"], failed["y"])) == [(3, pytest.approx(0.78)), (3, pytest.approx(0.78))]  # in the (3-1) square, below its number
    # each unit's P(feasible), written in its square
    assert unit_map[0]["texttemplate"] == "%{text}"
    written = page.locator("#plot-unit_map .heatmaplayer text").all_text_contents()
    assert sorted(written) == sorted(p for row in unit_map[0]["text"] for p in row if p is not None)
    lab.shot("pareto-campaign")
    assert lab.errors == []


def test_a_cell_uploaded_as_its_tester_file_shows_state_hours_overpotential_and_the_short(lab, served_stack, tmp_path):
    """Issue 27: the campaign page's file form creates the cell from a tester's file; the cell's page follows the
    analysis job, then shows state, hours, overpotential and the trace with the short marked; the detection can be
    rejected; a file of no supported format comes back beside the file field (415), nothing stored."""
    import numpy as np

    from interlayer.evaluation.cycler_exports import write_export
    from interlayer.evaluation.symmetric_cell import SymmetricCell, generate

    cell = SymmetricCell("Li", 1.0, 1.0, area_cm2=1.13, cycles=24, short_kind="hard", short_cycle=14.4, short_level=0.3)
    time_s, current_a, voltage_v, truth = generate(cell, np.random.default_rng(5))
    name, data = write_export("biologic_mpt", time_s, current_a, voltage_v)
    trace_path = tmp_path / name
    trace_path.write_bytes(data)
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    lab.sign_in()
    page = lab.page
    page.click("text=New campaign")
    fill_campaign_form(page, "Li cells from files", "Li")
    page.click("#new-campaign button[type=submit]")
    page.wait_for_url(f"{lab.url}/campaigns/cmp_*")
    campaign_url = page.url

    def upload(path: Path) -> None:
        page.set_input_files("#upload-file input[name=file]", str(path))
        page.fill("#upload-file input[name=recipe]", "(2ALD-2MLD)5")
        page.fill("#upload-file input[name=cell_id]", "web-1")
        page.fill("#upload-file input[name=area_cm2]", "1.13")
        page.click("#upload-file button[type=submit]")

    upload(tmp_path / "photo.png")
    assert "unknown format .png" in page.locator("[data-field='file']").inner_text()
    assert all("415" in error for error in lab.errors)
    lab.errors.clear()
    lab.shot("cell-file-refused")
    upload(trace_path)
    page.wait_for_url(f"{campaign_url}/cells/files/cyf_*")
    lab.settle()
    assert page.locator("#cell-state").inner_text() == "shorted"
    hours = float(page.locator("#cell-hours").inner_text().removesuffix(" h"))
    assert abs(hours - truth["short_h"]) <= truth["cycle_h"]
    overpotential_mv = float(page.locator("#cell-overpotential").inner_text().removesuffix(" mV"))
    assert overpotential_mv == pytest.approx(truth["overpotential_mv"], rel=0.05)
    assert "hard short" in page.locator("#short").inner_text()
    page.wait_for_selector("#plot-trace .main-svg")
    assert "hard short, cycle" in page.locator("#plot-trace .annotation-text").text_content()
    assert page.locator("#plot-trace .shapelayer path").count() >= 1
    page.wait_for_selector("#plot-overpotential .main-svg")
    lab.shot("cell-file")
    page.click("#reject button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#file-status").inner_text().startswith("rejected")
    assert page.locator("#cell-state").inner_text() == "running"
    assert "scientist" in page.locator("#model-uses").inner_text()
    lab.shot("cell-file-rejected")
    assert not lab.errors, lab.errors


def test_the_campaign_page_runs_under_its_content_security_policy(lab, served_stack):
    """The policy (script-src 'self') lets the page's own scripts draw every plot: no violation is reported,
    neither as an event nor in the console, and the print link works without an inline handler."""
    with Client(served_stack.api.url, lab.key, timeout_s=120) as client:
        campaign = client.create_campaign("under the policy", "Na", physics="none",
                                          space={"max_ald_cycles": 3, "max_mld_cycles": 3, "max_supercycles": 30})
        client.measure(campaign["id"], [{"recipe": recipe, "lifetime_h": hours, "censored": censored}
                                        for recipe, hours, censored in (("Na@(1ALD-1MLD)5", 300.0, False),
                                                                        ("Na@(2ALD-1MLD)8", 500.0, False),
                                                                        ("Na@(3ALD-3MLD)4", 700.0, True))])
        client.recommendation(campaign["id"])
        client.wait(client.propose(campaign["id"], 2))
    page = lab.page
    page.add_init_script("window.violations = []; document.addEventListener('securitypolicyviolation', "
                         "(event) => window.violations.push(event.violatedDirective + ' ' + event.blockedURI));")
    lab.sign_in(f"/campaigns/{campaign['id']}")
    response = page.goto(f"{lab.url}/campaigns/{campaign['id']}")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector("#plot-physics .main-svg", state="attached", timeout=30_000)
    for name in PLOTS:
        assert page.evaluate(f"document.getElementById('plot-{name}').data.length") > 0, name
    # one cell per recipe: the survival view is every cell's hours on its unit's row, hollow where still running
    strip = page.evaluate("document.getElementById('plot-survival').data.map(t => [t.name, t.x, t.y, t.marker.symbol])")
    assert sorted(strip) == [["(1ALD-1MLD) cells", [300], ["(1ALD-1MLD)"], ["circle"]],
                             ["(2ALD-1MLD) cells", [500], ["(2ALD-1MLD)"], ["circle"]],
                             ["(3ALD-3MLD) cells", [700], ["(3ALD-3MLD)"], ["circle-open"]]]
    assert page.locator("#caption-survival").inner_text().startswith("One mark per cell")
    ticks = page.locator("#plot-survival .xtick text").all_text_contents()
    assert ticks == ["300", "500", "700"]  # 300-700 h: labelled 1-2-3-5-7, no minor digits
    page.evaluate("window.print = () => { window.printed = true; }")
    page.click("[data-print]")
    assert page.evaluate("window.printed") is True
    assert page.evaluate("window.violations") == []
    lab.shot("campaign-under-csp")
    assert lab.errors == []


def test_the_worksheet_says_why_and_a_cell_record_is_entered_edited_and_exported(lab, served_stack):
    """Each proposed recipe with its role and reason, predicted interval, expected gain and nearest tested
    cell; the recommended recipe as an option to replicate; the reactor settings stored on the campaign; a
    cell's record (electrolyte, temperature, dates, sample, note) entered through the form, edited in its row
    and found in the export (JSON and CSV) with provenance."""
    with Client(served_stack.api.url, lab.key, timeout_s=120) as client:
        campaign = client.create_campaign("records", "Na", physics="none",
                                          space={"max_ald_cycles": 3, "max_mld_cycles": 3, "max_supercycles": 30})
        client.measure(campaign["id"], [{"recipe": "Na@(1ALD-1MLD)5", "lifetime_h": 300.0},
                                        {"recipe": "Na@(2ALD-1MLD)8", "lifetime_h": 500.0}])
        recommendation = client.recommendation(campaign["id"])
        batch = client.wait(client.propose(campaign["id"], 3))["proposals"]
    lab.sign_in(f"/campaigns/{campaign['id']}")
    page = lab.page
    lab.settle()
    rows = page.locator("#worksheet tbody tr[data-proposal]")
    assert rows.count() == 3
    for k, proposal in enumerate(batch):
        text = rows.nth(k).inner_text()
        role = rows.nth(k).locator(".role strong").inner_text()
        assert role in ("explore", "exploit", "replicate")
        assert f"{proposal['predicted_lifetime_h']:,.0f} h" in text and "apart; 0: the same film" in text
        assert (role == "exploit") == (proposal["predicted_lifetime_h"] >= 0.8 * recommendation["predicted_lifetime_h"])
    option = page.locator("#worksheet tr[data-option=replicate]")
    if recommendation["recipe"] not in [p["recipe"] for p in batch]:
        assert option.inner_text().startswith(recommendation["recipe"]) and "replicate" in option.inner_text()
    assert "the paper's text states no reactor settings" in page.locator("#reactor").inner_text()
    page.click("#reactor summary")
    page.fill("#reactor-form input[name=temperature_c]", "600")
    page.click("#reactor-form button[type=submit]")
    assert "less than or equal to 400" in page.locator("[data-field='reactor.temperature_c']").inner_text()
    lab.expect_refused()  # the refused form comes back open, beside its error
    for name, value in (("temperature_c", "85"), ("tma_pulse_s", "0.1"), ("h2o_pulse_s", "0.1"), ("eg_pulse_s", "0.2"),
                        ("purge_s", "10")):
        page.fill(f"#reactor-form input[name={name}]", value)
    page.click("#reactor-form button[type=submit]")
    page.wait_for_selector("[data-reactor=temperature_c] >> text=85 °C")
    assert page.locator("[data-reactor=purge_s]").inner_text() == "10 s"

    # a cell with its record, through the form
    lab.settle()
    page.select_option("#add-measurement select[name=proposal_id]", batch[0]["id"])
    page.fill("#add-measurement input[name=lifetime_h]", "420")
    for name, value in (("cell_id", "NA-17"), ("electrolyte", "1 M NaPF6 in diglyme"), ("temperature_c", "25"),
                        ("built_on", "2026-11-30"), ("tested_on", "2026-12-01"), ("sample_id", "S-0042"),
                        ("note", "coated in run 7")):
        page.fill(f"#add-measurement input[name={name}]", value)
    page.click("#add-measurement button[type=submit]")
    row = page.locator("#measurements tr[data-measurement]", has_text="NA-17")
    row.wait_for()
    assert "1 M NaPF6 in diglyme" in row.inner_text() and "2026-11-30" in row.inner_text()
    lab.settle()
    # edited in its row: the note changes, the sample id is cleared
    row = page.locator("#measurements tr[data-measurement]", has_text="NA-17")
    row.locator("a.edit-record").click()
    page.fill("#record-form input[name=tested_on]", "2026-11-01")  # before it was built: refused, beside the field
    page.click("#record-form button[type=submit]")
    assert "cannot begin (2026-11-01) before the cell was built (2026-11-30)" in page.locator("[data-field=tested_on]").inner_text()
    lab.expect_refused()
    page.fill("#record-form input[name=tested_on]", "2026-12-01")
    page.fill("#record-form input[name=note]", "coated in run 8; lid resealed")
    page.fill("#record-form input[name=sample_id]", "")
    page.click("#record-form button[type=submit]")
    page.wait_for_selector("#measurements >> text=coated in run 8; lid resealed")
    lab.shot("records")
    with Client(served_stack.api.url, lab.key) as client:
        stored = next(m for m in client.measurements(campaign["id"]) if m["cell_id"] == "NA-17")
    assert (stored["electrolyte"], stored["temperature_c"], stored["built_on"], stored["tested_on"]) == (
        "1 M NaPF6 in diglyme", 25.0, "2026-11-30", "2026-12-01")
    assert (stored["sample_id"], stored["note"]) == (None, "coated in run 8; lid resealed")
    # exported: the whole campaign as JSON, the cells as CSV
    with page.expect_download() as download:
        page.click("#export-json")
    exported = json.loads(Path(download.value.path()).read_text())
    assert exported["provenance"]["campaign_id"] == campaign["id"] and exported["provenance"]["exported_by"] == lab.owner
    assert {p["id"] for p in exported["proposals"]} >= {p["id"] for p in batch}
    assert exported["recommendations"][-1]["recipe"] and exported["recommendations"][-1]["computed_at"]
    assert next(c for c in exported["cells"] if c["cell_id"] == "NA-17")["note"] == "coated in run 8; lid resealed"
    with page.expect_download() as download:
        page.click("#export-cells")
    cells = list(csv.DictReader(open(download.value.path(), encoding="utf-8")))
    cell = next(c for c in cells if c["cell_id"] == "NA-17")
    assert (cell["electrolyte"], cell["tested_on"], cell["campaign_id"]) == ("1 M NaPF6 in diglyme", "2026-12-01", campaign["id"])
    assert lab.errors == []
