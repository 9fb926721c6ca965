"""The command line: exit codes, one-line errors and JSON output of `recipe` and `simulate czm`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

INTERLAYER = str(Path(sys.executable).with_name("interlayer"))


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([INTERLAYER, *args], capture_output=True, text=True, timeout=300,
                          env=None if env is None else {**os.environ, **env})


def test_recipe_json_and_table():
    done = run("recipe", "Li@(2ALD-2MLD)25", "--json")
    assert done.returncode == 0, done.stderr
    values = json.loads(done.stdout)
    assert values["thickness_nm"] == pytest.approx(20.0) and values["structure"] == "nanoalloy"
    assert values["modulus_gpa"] > 0
    table = run("recipe", "(1ALD-1MLD)10", "--metal", "Na")
    assert table.returncode == 0 and "Na@(1ALD-1MLD)10" in table.stdout


@pytest.mark.parametrize("args, word", [
    (("recipe", "(2ALD-MLD)", "--metal", "Li"), "malformed"),
    (("recipe", "Li@(0ALD-0MLD)5"), "(0ALD-0MLD)"),
    (("recipe", "Xe@(1ALD-1MLD)3"), "Xe"),
    (("recipe", "Li@(10ALD-10MLD)100000"), "100000 supercycles exceeds the 1000"),
    (("recipe", "Li@(101ALD-1MLD)1"), "101 ALD cycles per unit exceeds the 100"),
    (("simulate", "czm", "--metal", "Li", "--thickness-nm", "-4"), "thickness_nm"),
    (("simulate", "czm", "--metal", "Li", "--thickness-nm", "nan"), "thickness_nm"),
    (("simulate", "czm", "--metal", "Li", "--thickness-nm", "4", "--strength-mpa", "-100"), "strength_mpa"),
    (("simulate", "czm", "--metal", "Li", "--thickness-nm", "4", "--poisson-ratio", "0.6"), "poisson_ratio"),
    (("simulate", "czm", "--metal", "K2", "--thickness-nm", "4"), "K2"),
    (("simulate", "czm", "--metal", "Li", "--recipe", "(2ALD-MLD)"), "malformed"),
    (("simulate", "czm", "--metal", "Li", "--recipe", "Xe@(1ALD-1MLD)3"), "Xe"),
    (("simulate", "czm", "--metal", "Li"), "--recipe or --thickness-nm"),
    (("simulate", "czm", "--metal", "Li", "--thickness-nm", "4", "--fidelity", "exact"), "fidelity"),
    (("simulate", "czm", "--validate", "blister", "--thickness-nm", "10"), "--youngs-modulus-gpa"),
    (("simulate", "czm", "--validate", "wedge"), "wedge"),
])
def test_bad_input_is_one_line_and_exit_code_2(args, word, capsys):
    from interlayer.service.cli import main

    with pytest.raises(SystemExit) as caught:
        main(list(args))
    assert caught.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and word in lines[0]


def test_console_script_exit_code_and_message():
    done = run("simulate", "czm", "--metal", "Li", "--recipe", "(2ALD-MLD)")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()] and "malformed" in done.stderr
    assert "Traceback" not in done.stderr


def test_simulate_czm_json():
    li = json.loads(run("simulate", "czm", "--metal", "Li", "--recipe", "(1ALD-1MLD)10", "--json").stdout)
    na = json.loads(run("simulate", "czm", "--metal", "Na", "--thickness-nm", "4", "--json").stdout)
    assert li["pressure_mpa"] == pytest.approx(100.0) and na["pressure_mpa"] == pytest.approx(59.0)
    assert li["converged"] and na["converged"]
    assert li["normalized_length"] > na["normalized_length"] > 0
    stiff = json.loads(run("simulate", "czm", "--metal", "Na", "--thickness-nm", "4", "--modulus-gpa", "150", "--json").stdout)
    assert stiff["normalized_length"] < na["normalized_length"]


def test_validate_blister_prints_solver_and_analytic():
    done = run("simulate", "czm", "--validate", "blister", "--youngs-modulus-gpa", "165", "--poisson-ratio", "0.25",
               "--thickness-nm", "10", "--fracture-energy-j-m2", "0.001", "--strength-mpa", "300", "--pressure-mpa", "1", "--json")
    assert done.returncode == 0, done.stderr
    values = json.loads(done.stdout)
    assert values["critical_radius_analytic_nm"] == pytest.approx(208.15, rel=1e-3)
    assert abs(values["critical_radius_error"]) < 0.05 and abs(values["centre_deflection_error"]) < 0.05
    assert values["converged"] and values["reason"] == "" and values["equilibrium_tolerance"] == 1e-9


def test_validate_blister_in_the_membrane_regime_converges():
    # w0/h ≈ 30: the debond peak is a snap-back in the axis opening
    done = run("simulate", "czm", "--validate", "blister", "--youngs-modulus-gpa", "100", "--poisson-ratio", "0.3",
               "--thickness-nm", "2", "--fracture-energy-j-m2", "0.236", "--strength-mpa", "1400", "--pressure-mpa", "6.04", "--json")
    assert done.returncode == 0, done.stderr
    values = json.loads(done.stdout)
    assert values["converged"] and abs(values["critical_radius_membrane_error"]) < 0.05




@pytest.mark.parametrize("columns", ["60", "160"])
def test_data_published_table_shows_every_recipe_whole(columns):
    done = run("data", "published", env={"COLUMNS": columns})
    assert done.returncode == 0, done.stderr
    first_cells = [line.split("│")[1].strip() for line in done.stdout.splitlines() if line.startswith("│") and "@" in line]
    assert first_cells == ["Na@bare", "Na@(1ALD-1MLD)10", "Na@bare", "Na@(1ALD-1MLD)10", "Na@(1ALD-1MLD)10",
                           "Li@bare", "Li@(2ALD-2MLD)25"]
    assert "≥ 2000 h" in done.stdout and "270 h" in done.stdout


def test_data_published_json_and_a_file_of_ones_own(tmp_path):
    done = run("data", "published", "--json")
    assert done.returncode == 0, done.stderr
    cells = json.loads(done.stdout)
    assert len(cells) == 7 and {cell["reference"] for cell in cells} == {"doi:10.1002/adma.202301414"}
    li = [cell for cell in cells if cell["metal"] == "Li"]
    assert [(c["recipe"], c["lifetime_h"], c["state"], c["overpotential_mv"]) for c in li] == \
        [("Li@bare", 270.0, "shorted", 100.0), ("Li@(2ALD-2MLD)25", 500.0, "stopped", 80.0)]
    own = tmp_path / "mine.csv"
    header = "recipe,metal,current_ma_cm2,capacity_mah_cm2,lifetime_h,state,overpotential_mv,reference,where,how"
    own.write_text(f"{header}\nLi@(1ALD-1MLD)50,Li,2,1,400,shorted,,doi:x,Fig. S15,read from figure axis\n")
    assert json.loads(run("data", "published", "--file", str(own), "--json").stdout)[0]["lifetime_h"] == 400.0
    own.write_text(f"{header}\nLi@(1ALD-1MLD)50,Li,2,1,400,shorted,,doi:x,Fig. S15,read\nLi@bare,Li,2,1,-3,shorted,,doi:x,Fig. 2d,read\n")
    refused = run("data", "published", "--file", str(own))
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.strip() == "error: row 2, column lifetime_h: must be a positive finite number of hours, got -3"
