"""The parameters each model takes through ``run_simulation``: name, type and range.

The ranges are physical where physics bounds them (a Poisson ratio below 0.5, a plating overpotential
below zero) and otherwise bound the work a run may cost: the CZM's mesh grows with its element
counts, and at 200,000 elements per cohesive zone one film took 2.4 GB and over a minute. At every
upper bound here at once the FEM fidelity took 30 s and 0.51 GB for Li@(2ALD-2MLD)25 and
Li@(10ALD-1MLD)100 (its defaults: 4.5 s, 0.17 GB), well inside the service's time limit.
Unknown names, values of the wrong type, NaN and values out of range are refused with the parameter
named, before any run starts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import SimulationInputError
from .phasefield_presets import PRESETS


class ParameterError(SimulationInputError):
    """A model parameter that is unknown, of the wrong type or out of range; ``name`` says which."""

    def __init__(self, name: str, message: str):
        super().__init__(f"parameter {name!r}: {message}")
        self.name = name


@dataclass(frozen=True)
class Parameter:
    """A number in [low, high] (``integer``: a whole one), a flag, or one of ``choices``."""

    low: float | None = None
    high: float | None = None
    integer: bool = False
    flag: bool = False
    choices: tuple[str, ...] = ()

    def check(self, name: str, value: Any) -> None:
        if self.choices:
            if value not in self.choices:
                raise ParameterError(name, f"choose one of {', '.join(self.choices)}")
            return
        if self.flag:
            if not isinstance(value, bool):
                raise ParameterError(name, "must be true or false")
            return
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ParameterError(name, "must be a finite number")
        if self.integer and value != int(value):
            raise ParameterError(name, "must be a whole number")
        if not self.low <= value <= self.high:
            raise ParameterError(name, f"must lie in [{self.low:g}, {self.high:g}], got {value:g}")


# Film properties a run may override (``Film`` fields); the ranges span oxides, hybrids and polymers.
FILM = {
    "thickness_nm": Parameter(0.1, 1000.0),
    "modulus_gpa": Parameter(0.1, 1000.0),
    "modulus_in_plane_gpa": Parameter(0.1, 1000.0),
    "modulus_through_thickness_gpa": Parameter(0.1, 1000.0),
    "poisson_ratio": Parameter(-0.99, 0.499),
    "strength_mpa": Parameter(1.0, 100_000.0),
    "fracture_energy_j_m2": Parameter(1e-3, 100.0),
}

CZM = FILM | {
    "fidelity": Parameter(choices=("reduced", "fem")),
    "pressure_mpa": Parameter(1e-3, 10_000.0),
    "initial_debond_radius_nm": Parameter(0.1, 1000.0),
    "penalty_factor": Parameter(1.0, 10_000.0),
    "elements_per_cohesive_zone": Parameter(1.0, 16.0),
    "elements_per_thickness": Parameter(1.0, 16.0),
    "load_steps": Parameter(1.0, 100.0),
    "tolerance": Parameter(1e-12, 1e-3),
    "geometric_nonlinearity": Parameter(flag=True),
    "angular_elements": Parameter(2, 12, integer=True),
}

# The phase field's physical constants and where they come from live with the model
# (``phasefield.PARAMETER_SOURCES``): γ is the metal's surface energy (Tyson & Miller, Surf. Sci. 62
# (1977) 267: Li 0.522, Na 0.261 J m⁻²; ``electrochem.METALS``), the capillary mobility follows from it
# by Gibbs–Thomson, L_σ = V_η Ω/(1.5 δ RT) (Li 1.87e-8, Na 5.77e-8 m³ J⁻¹ s⁻¹ at −0.1 V; derivation in
# docs/physics.md), and the cell-scale constants of the physics prior (film ionic conductivity,
# exchange current) are sourced in ``cell_scale``.
PHASEFIELD = FILM | {
    # plating: at or below the equilibrium overpotential (about 0 V; the model checks it exactly)
    "overpotential_v": Parameter(-1.0, 0.0),
    # a named parameter set (``phasefield_presets``); one of them is non-physical, kept to compare with paper Fig. 4e
    "preset": Parameter(choices=tuple(PRESETS)),
}

PARAMETERS: dict[str, dict[str, Parameter]] = {"czm": CZM, "phasefield": PHASEFIELD}


def check_parameters(model: str, parameters: Mapping[str, Any]) -> None:
    """Raise ParameterError for the first parameter ``model`` does not take as given."""
    declared = PARAMETERS[model]
    for name, value in parameters.items():
        if name not in declared:
            raise ParameterError(name, f"unknown for {model}; known: {', '.join(sorted(declared))}")
        declared[name].check(name, value)
