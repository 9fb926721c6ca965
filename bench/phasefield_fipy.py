"""The phase-field equations of ``interlayer.models.phasefield`` written the FiPy way (baseline).

Same grid, same equations, same film coupling and same time-step limit; FiPy assembles and solves
sparse systems each step (ξ: implicit diffusion with explicit double-well and reaction sources;
c̃: fully implicit variable-coefficient diffusion). FiPy is an optional bench dependency.
"""

from __future__ import annotations

import time

import numpy as np

from interlayer.models.electrochem import thermal_voltage_v
from interlayer.models.film import Film
from interlayer.models.phasefield import (
    FilmCoupling,
    PhaseFieldConfig,
    initial_order_parameter,
    local_rates,
    perturbation_amplitude_nm,
    reduced_parameters,
    reduced_stress_per_mpa,
    surface_height,
    time_step_limit_s,
    validated_overpotential_v,
)


def run_fipy(metal: str, film: Film | None, overpotential_v: float, config: PhaseFieldConfig,
             end_time_s: float | None = None) -> dict:
    """Plate to ``plated_thickness_nm`` (or to ``end_time_s``); amplitude, steps and wall time."""
    from fipy import CellVariable, DiffusionTerm, PeriodicGrid2DLeftRight, TransientTerm

    eta_v = validated_overpotential_v(overpotential_v, config)
    stress_per_mpa = reduced_stress_per_mpa(metal, config.temperature_k)
    coupling = FilmCoupling(film, config, eta_v, stress_per_mpa, metal)
    r = reduced_parameters(config, metal)   # FiPy works in the same reduced units as interlayer
    f_eta = eta_v / thermal_voltage_v(config.temperature_k)
    ny, nx = config.shape
    dx = r.cell

    started = time.perf_counter()
    mesh = PeriodicGrid2DLeftRight(dx=dx, dy=dx, nx=nx, ny=ny)
    xi = CellVariable(name="xi", mesh=mesh, value=initial_order_parameter(config).ravel(), hasOld=True)
    conc = CellVariable(name="c", mesh=mesh, value=r.bulk_concentration, hasOld=True)
    conc.constrain(r.bulk_concentration, mesh.facesTop)
    xi_source = CellVariable(mesh=mesh, value=0.0)
    c_sink = CellVariable(mesh=mesh, value=0.0)
    diffusivity = CellVariable(mesh=mesh, value=r.diffusivity_electrolyte)

    # ∂ξ/∂t = L_σκ∇²ξ − [L_σ g′(ξ) + L_η h′ B]
    xi_equation = TransientTerm(var=xi) == DiffusionTerm(coeff=r.interface_mobility * r.gradient_coefficient,
                                                         var=xi) - xi_source
    # ∂c̃/∂t = ∇·(2D∇c̃) − (c_s/c0) ∂ξ/∂t
    c_equation = TransientTerm(var=conc) == DiffusionTerm(coeff=2.0 * diffusivity.arithmeticFaceValue, var=conc) - c_sink

    dt = time_step_limit_s(config, metal) * r.second
    surface0 = surface_height(np.asarray(xi.value).reshape(ny, nx), config.cell_nm)
    surface, mean0 = surface0.copy(), float(surface0.mean())
    t, steps = 0.0, 0
    while True:
        if end_time_s is None and float(surface.mean()) - mean0 >= config.plated_thickness_nm:
            break
        if end_time_s is not None and t >= (end_time_s - 1e-12) * r.second or t >= config.max_time_s * r.second:
            break
        # copies: FiPy overwrites its value arrays in place when it solves
        field = np.array(xi.value).reshape(ny, nx)
        c_field = np.array(conc.value).reshape(ny, nx)
        phi = np.log(np.clip(c_field, 1e-6, None) / r.bulk_concentration)
        dg, reaction, d_cell = local_rates(field, c_field, phi, coupling.stress_mpa, f_eta, stress_per_mpa, r)
        xi_source.value = (r.interface_mobility * dg + reaction).ravel()
        diffusivity.value = d_cell.ravel()
        xi.updateOld()
        conc.updateOld()
        xi_equation.solve(var=xi, dt=dt)
        new_field = np.array(xi.value).reshape(ny, nx)
        c_sink.value = (r.site_density_ratio * (new_field - field) / dt).ravel()
        c_equation.solve(var=conc, dt=dt)
        new_surface = surface_height(new_field, config.cell_nm)
        coupling.advance(new_surface, new_surface - surface, dt / r.second, (t + dt) / r.second)
        surface = new_surface
        t += dt
        steps += 1
    return {
        "time_s": t / r.second,
        "steps": steps,
        "amplitude_nm": perturbation_amplitude_nm(surface),
        "amplitude_ratio": perturbation_amplitude_nm(surface) / perturbation_amplitude_nm(surface0),
        "wall_s": time.perf_counter() - started,
        "cell_updates": steps * nx * ny,
        "mean_rise_nm": float(surface.mean()) - mean0,
    }


def fipy_available() -> bool:
    try:
        import fipy  # noqa: F401
    except ImportError:
        return False
    return True

