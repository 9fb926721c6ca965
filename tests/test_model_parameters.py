"""Each model's declared parameters: unknown names, wrong types, NaN and values out of range are refused
before a run starts, naming the parameter."""

from __future__ import annotations

import pytest

from interlayer.models.parameters import PARAMETERS, ParameterError, check_parameters
from interlayer.models.simulation import MODELS, run_simulation


def test_every_model_declares_its_parameters():
    assert set(PARAMETERS) == set(MODELS)


@pytest.mark.parametrize("parameters, name", [
    ({"elements_per_cohesive_zone": 200000}, "elements_per_cohesive_zone"),
    ({"load_steps": float("nan")}, "load_steps"),
    ({"angular_elements": 3.5}, "angular_elements"),
    ({"fidelity": "exact"}, "fidelity"),
    ({"geometric_nonlinearity": 1}, "geometric_nonlinearity"),
    ({"poisson_ratio": 0.5}, "poisson_ratio"),
    ({"pressure_mpa": True}, "pressure_mpa"),
    ({"mesh": 4}, "mesh"),
])
def test_run_simulation_refuses_czm_parameters_out_of_their_declared_range(parameters, name):
    with pytest.raises(ParameterError) as refused:
        run_simulation("czm", "Li", "(2ALD-2MLD)25", parameters)
    assert refused.value.name == name and repr(name) in str(refused.value)


def test_phasefield_takes_a_plating_overpotential_only():
    check_parameters("phasefield", {"overpotential_v": -0.1, "modulus_gpa": 20.0})
    for bad in ({"overpotential_v": 0.2}, {"overpotential_v": "low"}, {"cell_nm": 0.01}):
        with pytest.raises(ParameterError):
            check_parameters("phasefield", bad)
