"""``interlayer report``: one HTML file under 5 MB, from a service or from the database itself, that opens
offline in Chromium with every plot drawn."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_client
from test_dashboard_browser import PLOTS
from typer.testing import CliRunner

from interlayer.service.cli import app
from interlayer.service.settings import Settings
from interlayer.service.usecases.campaigns import list_campaigns
from interlayer.service.usecases.proposals import list_proposals

REPORT_LIMIT_BYTES = 5_000_000


@pytest.fixture(scope="module")
def measured_campaign(pg_stack):
    """A small campaign through the API with the CZM prior: a batch of 4, three cells reported, one still running."""
    with make_client(pg_stack, "report-lab") as client:
        campaign = client.create_campaign("report", "Li", physics="czm", seed=1,
                                          space={"max_ald_cycles": 3, "max_mld_cycles": 3, "max_supercycles": 40})
        batch = client.wait(client.propose(campaign["id"], 4))["proposals"]
        client.measure(campaign["id"], [{"proposal_id": p["id"], "lifetime_h": hours, "censored": censored}
                                        for p, hours, censored in zip(batch, (500.0, 800.0, 1500.0), (False, False, True))])
        client.recommendation(campaign["id"])  # the refit of these cells is stored
        yield campaign, client.http.headers["Authorization"].removeprefix("Bearer ")


def draws_every_plot_offline(browser, path, lower_bound: bool = True) -> None:
    context = browser.new_context(offline=True)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    page.wait_for_selector("#plot-physics .main-svg", state="attached", timeout=30_000)
    for name in PLOTS:
        assert page.evaluate(f"document.getElementById('plot-{name}').data.length") > 0, name
    if lower_bound:  # the longest-lived cell is still running
        assert "lower bound" in page.locator("#best-observed").inner_text()
    # the physics plot draws the prior's shape beside the cells
    assert page.evaluate("document.getElementById('plot-physics').data[0].name").startswith("prior shape")
    page.screenshot(path=str(path.with_suffix(".png")), full_page=True)
    context.close()
    assert errors == []


@pytest.mark.parametrize("source", ["remote", "database"])
def test_a_report_is_one_file_that_opens_offline_with_every_plot(source, measured_campaign, pg_stack, browser,
                                                                 tmp_path, monkeypatch):
    campaign, key = measured_campaign
    out = tmp_path / f"{source}.html"
    where = ["--remote", pg_stack.api.url, "--api-key", key] if source == "remote" else []
    monkeypatch.setenv("INTERLAYER_DATABASE_URL", pg_stack.settings.database_url)
    result = CliRunner().invoke(app, ["report", campaign["id"], "--out", str(out), *where])
    assert result.exit_code == 0, result.output
    assert 0 < out.stat().st_size < REPORT_LIMIT_BYTES
    # offline: a script or style fetched from anywhere would fail and leave a console error or an empty plot
    draws_every_plot_offline(browser, out)


def readme_demo_lines() -> list[str]:
    """The demo's output as the README's quick start quotes it (its console block, less the command and "...")."""
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("$ .venv/bin/interlayer demo\n", 1)[1].split("```", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip() and line.strip() != "..."]


def test_the_demo_hands_over_its_data_next_batch_and_commands_and_writes_nowhere_else(browser, tmp_path, monkeypatch):
    # one short round per metal: the demo's own stack (SQLite, embedded broker, worker processes, physics prior),
    # run from an empty folder with an empty home: its default data folder is under the home
    home, cwd = tmp_path / "home", tmp_path / "cwd"
    home.mkdir(), cwd.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(app, ["demo", "--rounds", "1", "--batch", "2"])
    assert result.exit_code == 0, result.output
    data = home / ".local" / "share" / "interlayer" / "demo"
    assert list(cwd.iterdir()) == []
    assert {path for path in home.rglob("*") if path.is_file()} == {path for path in data.rglob("*") if path.is_file()}
    reports = sorted(data.glob("report-demo-*.html"))
    assert [path.name for path in reports] == ["report-demo-Li.html", "report-demo-Na.html"]
    lines = [line.strip() for line in result.output.splitlines()]
    # the last lines: each metal's next batch, where the reports are, the commands that serve the data
    assert lines[-4:] == readme_demo_lines()[-4:]
    assert set(readme_demo_lines()) <= set(lines)
    settings = Settings(database_url=f"sqlite:///{data / 'demo.sqlite'}")
    campaigns = sorted(list_campaigns(settings, "demo-lab"), key=lambda c: c["metal"])
    for campaign, path in zip(campaigns, reports, strict=True):
        batch = list_proposals(settings, "demo-lab", campaign["id"], "pending")
        assert len(batch) == 2
        assert all(p["recipe"] in result.output and p["id"] in result.output for p in batch)
        html = path.read_text(encoding="utf-8")
        assert "No pending proposal" not in html
        assert all(p["id"] in html for p in batch)  # the report's worksheet carries the next batch
    for path in reports:
        assert path.stat().st_size < REPORT_LIMIT_BYTES
        draws_every_plot_offline(browser, path, lower_bound=False)
