"""The closed-loop runner: a tiny run of every method, JSON lines, labs from the current directory, scoring."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from interlayer.evaluation import report, runner
from interlayer.evaluation.baselines import RandomPlanner
from interlayer.evaluation.benchmark import DEFAULT_METHODS, PLANNERS, distribution, score
from interlayer.evaluation.closed_loop import CellResult, cell_rng, run_loop
from interlayer.evaluation.labs import paper_lab
from interlayer.models.recipe import Recipe
from interlayer.service.cli import main as interlayer_main
from interlayer.surrogate.space import DesignSpace

SMALL_SPACE = ["--max-unit", "3", "--max-supercycles", "30", "--max-thickness-nm", "12"]


def test_tiny_run_of_every_method_prints_one_json_line_per_round(capsys):
    runner.main(["--lab", "interlayer.evaluation.labs:paper_lab", "--metal", "Na", "--budget", "8", "--batch", "4",
                      "--seeds", "1", "--json", *SMALL_SPACE])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    space = DesignSpace("Na", max_ald_cycles=3, max_mld_cycles=3, max_supercycles=30, max_thickness_nm=12.0)
    assert sorted({row["method"] for row in rows}) == sorted(DEFAULT_METHODS)
    for method in DEFAULT_METHODS:
        mine = [row for row in rows if row["method"] == method]
        assert [(row["round"], row["experiments"]) for row in mine] == [(1, 4), (2, 8)]
        for row in mine:
            assert row["seed"] == 0
            assert space.contains(Recipe("Na", row["ald_cycles"], row["mld_cycles"], row["supercycles"]))
            assert 0.0 < row["fraction_of_optimum"] <= 1.0


def test_the_console_command_and_the_bench_module_run_the_same_loop(capsys):
    argv = ["--metal", "Na", "--methods", "interlayer,random", "--budget", "4", "--seeds", "1", "--json", *SMALL_SPACE]
    with pytest.raises(SystemExit) as exit_info:
        interlayer_main(["closed-loop", *argv])
    assert exit_info.value.code == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    bench = subprocess.run([sys.executable, "-m", "bench.closed_loop", *argv], capture_output=True, text=True, check=True,
                           cwd=Path(__file__).parents[1])
    again = [json.loads(line) for line in bench.stdout.splitlines()]
    drop_time = [{k: v for k, v in row.items() if k != "elapsed_s"} for row in rows]
    assert drop_time == [{k: v for k, v in row.items() if k != "elapsed_s"} for row in again]
    assert {row["method"] for row in rows} == {"interlayer", "random"}


def test_summary_names_every_method_and_the_targets(capsys):
    runner.main(["--metal", "Li", "--budget", "8", "--batch", "4", "--seeds", "1", *SMALL_SPACE])
    out = capsys.readouterr().out
    for method in DEFAULT_METHODS:
        assert method in out
    assert "optimum Li@" in out and "target:" in out


def test_a_lab_from_the_current_directory_without_truth(tmp_path, monkeypatch, capsys):
    (tmp_path / "my_bench_lab_xyz.py").write_text(textwrap.dedent("""
        def lab(metal, ald_cycles, mld_cycles, supercycles, rng):
            return 100.0 * supercycles * float(rng.lognormal(0.0, 0.1)), False
    """))
    monkeypatch.chdir(tmp_path)
    runner.main(["--lab", "my_bench_lab_xyz:lab", "--methods", "random,optuna-tpe", "--budget", "4",
                      "--seeds", "2", *SMALL_SPACE])
    out = capsys.readouterr().out
    assert "recommendations only" in out
    assert out.count("seed ") == 4


def test_bad_arguments_are_refused():
    for argv in (["--budget", "0"], ["--methods", "random,grid"]):
        with pytest.raises(SystemExit) as exit_info:
            runner.main(argv)
        assert exit_info.value.code == 2
    for argv in (["--lab", "no_such_module_xyz:lab"], ["--metal", "Xe"], ["--max-thickness-nm", "0.1"]):
        assert report.run_cli(lambda: runner.main(argv)) == 2


def test_score_counts_never_reaching_as_budget_plus_batch():
    table = {(1, 1, 10): 1000.0, (1, 1, 5): 850.0, (1, 1, 2): 300.0}
    rows = [{"experiments": 4, "ald_cycles": 1, "mld_cycles": 1, "supercycles": 2},
            {"experiments": 8, "ald_cycles": 1, "mld_cycles": 1, "supercycles": 5}]
    result = score(rows, table, budget=8, batch=4)
    assert result["to_target"] == 12
    assert result["at"][8] == pytest.approx(0.85)
    assert np.isnan(result["at"][16])
    rows.append({"experiments": 12, "ald_cycles": 1, "mld_cycles": 1, "supercycles": 10})
    assert score(rows, table, budget=12, batch=4)["to_target"] == 12


def test_run_loop_is_deterministic_and_the_same_cell_is_the_same_for_every_planner():
    space = DesignSpace("Li", max_ald_cycles=2, max_mld_cycles=2, max_supercycles=20)

    def results(seed):
        planner = RandomPlanner(space, seed)
        return [step.results for step in run_loop(planner, paper_lab, space, budget=6, batch=4, seed=seed)]

    first = results(3)
    assert first == results(3)
    assert [len(r) for r in first] == [4, 2]
    cell = first[0][0]
    recipe = cell.recipe
    again = paper_lab("Li", recipe.ald_cycles, recipe.mld_cycles, recipe.supercycles, cell_rng(3, recipe, 0))
    assert CellResult(recipe, *again) == cell


# --- the lab family in the runner ---------------------------------------------------------------

FAMILY = ["--lab", "interlayer.evaluation.labs:family"]


def test_seed_lists_take_ranges_and_single_seeds():
    assert runner.seed_list("0-3") == [0, 1, 2, 3]
    assert runner.seed_list("7,100-101,7") == [7, 100, 101]
    for bad in ("", "a-b", "5-2", "-3", "1-"):
        with pytest.raises(ValueError):
            runner.seed_list(bad)


def test_distribution_gives_median_percentiles_and_shares_solved():
    result = distribution([4, 8, 12, 16, 20, 36, 36, 8, 8, 4])
    assert result["runs"] == 10
    assert result["median"] == 10
    assert result["p75"] == pytest.approx(np.percentile([4, 8, 12, 16, 20, 36, 36, 8, 8, 4], 75))
    assert result["p90"] == 36
    assert result["within_16"] == pytest.approx(0.7)
    assert result["within_32"] == pytest.approx(0.8)


def test_a_family_run_prints_the_distribution_over_labs_metals_and_seeds(capsys):
    runner.main([*FAMILY, "--family-seeds", "100-101", "--metal", "Li,Na", "--methods", "random,optuna-tpe",
                 "--budget", "8", "--seeds", "2", *SMALL_SPACE])
    out = capsys.readouterr().out
    assert "the tuning slice" in out and "metals Li,Na" in out and "wall time" in out
    lines = {line.split()[0]: line.split() for line in out.splitlines() if line.startswith(("random", "optuna-tpe"))}
    # 2 labs x 2 metals x 2 seeds
    assert lines["random"][1] == lines["optuna-tpe"][1] == "8"
    for column in ("median", "p75", "p90", "<=16", "<=32"):
        assert column in out
    runner.main([*FAMILY, "--family-seeds", "3", "--metal", "Na", "--methods", "random", "--budget", "4", "--seeds", "1",
                 *SMALL_SPACE])
    assert "held out: never tuned on" in capsys.readouterr().out


def test_a_family_run_is_the_same_twice_and_its_json_names_lab_and_metal(capsys):
    argv = [*FAMILY, "--family-seeds", "0-1", "--metal", "Li,Na", "--methods", "random", "--budget", "8", "--seeds", "1",
            "--json", *SMALL_SPACE]
    runner.main(argv)
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    runner.main(argv)
    again = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    drop_time = [{k: v for k, v in row.items() if k != "elapsed_s"} for row in rows]
    assert drop_time == [{k: v for k, v in row.items() if k != "elapsed_s"} for row in again]
    assert {(row["family_seed"], row["metal"]) for row in rows} == {(0, "Li"), (0, "Na"), (1, "Li"), (1, "Na")}
    assert all(0.0 < row["fraction_of_optimum"] <= 1.0 for row in rows)


def test_family_arguments_are_checked():
    assert report.run_cli(lambda: runner.main([*FAMILY, "--methods", "random"])) == 2
    assert report.run_cli(lambda: runner.main(["--family-seeds", "0-1", "--methods", "random"])) == 2
    with pytest.raises(SystemExit) as exit_info:
        runner.main([*FAMILY, "--family-seeds", "9-2"])
    assert exit_info.value.code == 2


def test_the_peers_run_one_batch_each_when_installed():
    pytest.importorskip("baybe")
    pytest.importorskip("ax")
    space = DesignSpace("Na", max_ald_cycles=3, max_mld_cycles=3, max_supercycles=30, max_thickness_nm=12.0)
    for method in ("baybe", "ax"):
        planner = PLANNERS[method](space, 0)
        steps = list(run_loop(planner, paper_lab, space, budget=4, batch=4, seed=0))
        assert [step.experiments for step in steps] == [4]
        assert all(space.contains(cell.recipe) for cell in steps[0].results)
        assert space.contains(steps[0].recommended)


def test_saved_json_lines_give_the_runners_distribution(tmp_path, capsys):
    argv = [*FAMILY, "--family-seeds", "0-1", "--metal", "Na", "--methods", "random", "--budget", "8", "--seeds", "1",
            *SMALL_SPACE]
    runner.main(argv)
    table = capsys.readouterr().out
    runner.main([*argv, "--json"])
    saved = tmp_path / "runs.jsonl"
    saved.write_text(capsys.readouterr().out)
    from bench.family_json import main as family_json
    assert family_json([str(saved), "--budget", "8"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in table.splitlines() if line.startswith("random")).split()[:7]
    assert next(line for line in out.splitlines() if line.startswith("random")).split()[:7] == row
