"""``interlayer simulate phasefield``: JSON summary, PNG maps, bad input as exit code 2."""

from __future__ import annotations

import json

import pytest

from interlayer.service.cli import main


def test_phasefield_command_prints_json_and_writes_maps(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["simulate", "phasefield", "--metal", "Na", "--recipe", "(1ALD-1MLD)10", "--json", "--out", str(tmp_path)])
    assert exit_info.value.code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["metal"] == "Na" and summary["film_thickness_nm"] == pytest.approx(4.0)
    assert summary["amplitude_ratio"] > 0.0 and summary["peak_compressive_stress_mpa"] < 0.0
    # every parameter in SI units, the electrolyte diffusivity among them (Chen 2015: 3.2e-10 m² s⁻¹)
    parameters = summary["parameters"]
    assert parameters["electrolyte_diffusivity_m2_s"] == pytest.approx(3.197e-10)
    assert parameters["film_thickness_m"] == pytest.approx(4e-9) and parameters["overpotential_v"] == -0.1
    assert all(key.endswith(("_m", "_m2_s", "_s", "_j_m2", "_j_m3", "_j_m", "_m3_j_s", "_1_s", "_a_m2", "_mol_m3",
                             "_k", "_pa", "_v", "_coefficient", "_ratio")) for key in parameters)
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["Na__1ALD-1MLD_10_fields.png", "Na__1ALD-1MLD_10_stress.png"]


def test_phasefield_command_refuses_an_anodic_overpotential(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["simulate", "phasefield", "--metal", "Li", "--recipe", "(1ALD-1MLD)25", "--overpotential-v", "0.05"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.startswith("error: plating needs an overpotential")


def test_phasefield_command_prints_the_regime_and_names_a_non_physical_preset(capsys):
    from test_phasefield_regime import closed_forms

    for preset, physical in (("physical", True), ("hong-viswanathan-read-in-nm", False)):
        with pytest.raises(SystemExit) as exit_info:
            main(["simulate", "phasefield", "--metal", "Li", "--recipe", "bare", "--json", "--preset", preset])
        assert exit_info.value.code == 0
        summary = json.loads(capsys.readouterr().out)
        assert summary["physical"] is physical and summary["preset"] == preset
        assert "Fig. 4e" in summary["paper_figures"]
    # the physical default's four diagnostics (the last summary is the preset's: transport-limited, Da ≈ 1)
    assert 0.5 < summary["damkohler"] < 2.0 and summary["regime"].startswith("transport can grow")
    main_args = ["simulate", "phasefield", "--metal", "Li", "--recipe", "bare", "--json"]
    with pytest.raises(SystemExit):
        main(main_args)
    summary, expected = json.loads(capsys.readouterr().out), closed_forms("Li")
    for key in ("damkohler", "wagner", "marginal_wavelength_m", "capillary_decay_rate_1_s"):
        assert summary[key] == pytest.approx(expected[key], rel=0.01)
    with pytest.raises(SystemExit) as exit_info:
        main(["simulate", "phasefield", "--metal", "Li", "--recipe", "bare", "--preset", "paper"])
    assert exit_info.value.code == 2 and "unknown phase-field preset 'paper'" in capsys.readouterr().err
