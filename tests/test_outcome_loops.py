"""The closed loop with outcome labs: mappings from labs, Pareto sets in --json, constraints, failures,
conditions; bad runner flags exit 2; labs returning today's pairs still work."""

import json

import pytest

from interlayer.evaluation import runner
from interlayer.evaluation.closed_loop import cell_result, cell_rng
from interlayer.evaluation.outcome_labs import condition_lab, failing_lab, pareto_lab, thin_films_fail
from interlayer.evaluation.outcome_scores import truth
from interlayer.models.recipe import Recipe
from interlayer.surrogate.objective import Objective
from interlayer.surrogate.pareto import hypervolume
from interlayer.surrogate.space import DesignSpace

SMALL = ["--max-unit", "3", "--max-supercycles", "30", "--max-thickness-nm", "12"]
SPACE = DesignSpace("Li", max_ald_cycles=3, max_mld_cycles=3, max_supercycles=30, max_thickness_nm=12.0)


def test_outcome_labs_truth_feasible_and_cells():
    recipe = Recipe.parse("Li@(2ALD-2MLD)25")
    truth_values = pareto_lab.truth("Li", 2, 2, 25)
    assert truth_values["lifetime_h"] == pytest.approx(paper_truth := pareto_lab.lab.truth("Li", 2, 2, 25))
    assert 70 < truth_values["overpotential_mv"] < 90 and paper_truth > 800
    # a harder test: shorter lives, higher overpotential
    hard = condition_lab.truth("Na", 1, 1, 10, condition=(3.0, 1.0))
    assert hard["lifetime_h"] < condition_lab.truth("Na", 1, 1, 10)["lifetime_h"]
    assert not failing_lab.feasible("Na", 1, 1, 5) and failing_lab.feasible("Na", 1, 1, 10)
    failed = cell_result(failing_lab, "Na", Recipe.parse("Na@(1ALD-1MLD)5"), cell_rng(0, recipe, 0), None)
    assert failed.failed and failed.lifetime_h is None
    cell = cell_result(pareto_lab, "Li", recipe, cell_rng(0, recipe, 0), (2.0, 1.0))
    assert cell.overpotential_mv > 0 and cell.condition == (2.0, 1.0) and not cell.failed
    space = DesignSpace("Na")
    assert 0.1 < sum(thin_films_fail(r) for r in space.recipes()) / len(space.recipes()) < 0.2


def test_pareto_run_prints_the_recommended_set_per_round(capsys):
    runner.main(["--lab", "interlayer.evaluation.outcome_labs:pareto_lab", "--metal", "Li", "--budget", "8", "--batch", "4",
                 "--seeds", "1", "--objectives", "lifetime,overpotential", "--json", *SMALL])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["experiments"] for row in rows] == [4, 8]
    for row in rows:
        assert 1 <= len(row["pareto"]) <= 12
        for entry in row["pareto"]:
            assert set(entry) == {"ald_cycles", "mld_cycles", "supercycles"}
            assert SPACE.contains(Recipe("Li", entry["ald_cycles"], entry["mld_cycles"], entry["supercycles"]))
        assert 0.0 < row["hypervolume_fraction"] <= 1.0 + 1e-9


def test_constraint_condition_and_related_condition_runs(capsys):
    runner.main(["--lab", "interlayer.evaluation.outcome_labs:pareto_lab", "--metal", "Li", "--budget", "4", "--batch", "4",
                 "--seeds", "1", "--constraint", "overpotential_mv<=150", "--condition", "3,1", "--related-condition", "1,1",
                 "--related-budget", "4", "--json", *SMALL])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 1 and isinstance(rows[0]["constraint_satisfied"], bool)


@pytest.mark.parametrize("args", [["--objectives", "lifetime,cost"], ["--constraint", "capacity_fade<=3"],
                                  ["--condition", "0,1"], ["--related-condition", "3"], ["--related-budget", "0"]])
def test_bad_runner_flags_exit_2(args, capsys):
    with pytest.raises(SystemExit) as caught:
        runner.main(["--lab", "interlayer.evaluation.outcome_labs:pareto_lab", "--seeds", "1", *args])
    assert caught.value.code == 2


def test_a_constraint_no_recipe_meets_is_refused():
    from interlayer.evaluation.labs import LabError
    with pytest.raises(LabError, match="no recipe"):
        truth(pareto_lab, SPACE, Objective.parse("lifetime", "overpotential_mv<=5"))


def test_true_front_scoring():
    world = truth(pareto_lab, SPACE, Objective.parse("lifetime,overpotential"))
    keys = list(world.lifetime)
    assert world.hypervolume_fraction(keys) == pytest.approx(1.0)
    assert world.front_hv == pytest.approx(hypervolume([(world.lifetime[k], -world.overpotential[k]) for k in keys],
                                                      world.reference))
