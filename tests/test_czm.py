"""Cohesive-zone model: the law, Newton consistency, blister validation, convergence, fidelities, Fig. 4b trends."""

import json
import math

import numpy as np
import pytest

from interlayer.models.czm import (
    CzmResult,
    blister_critical_deflection_nm,
    blister_critical_radius_nm,
    blister_membrane_critical_radius_nm,
    simulate_blister,
    simulate_czm,
)
from interlayer.models.czm_law import CohesiveLaw
from interlayer.models.czm_reduced import AxisymmetricPlate
from interlayer.models.czm_solver import Dissipation, PlateProblem
from interlayer.models.errors import SimulationInputError, UnknownMetalError
from interlayer.models.film import Film

LAW = CohesiveLaw(stiffness_gpa_nm=100.0, strength_gpa=0.5, fracture_energy_gpa_nm=0.25)

# Clamped blisters in the plate regime: w0/h = 0.2 and a_c/h ≈ 18–21 (E GPa, ν, h nm, Gc J/m², σmax MPa, p MPa)
BLISTERS = [
    dict(youngs_modulus_gpa=165.0, poisson_ratio=0.25, thickness_nm=10.0, fracture_energy_j_m2=0.001, strength_mpa=300.0, pressure_mpa=1.0),
    dict(youngs_modulus_gpa=100.0, poisson_ratio=0.30, thickness_nm=6.0, fracture_energy_j_m2=0.0006, strength_mpa=300.0, pressure_mpa=1.0),
    dict(youngs_modulus_gpa=50.0, poisson_ratio=0.30, thickness_nm=20.0, fracture_energy_j_m2=0.001, strength_mpa=300.0, pressure_mpa=0.5),
]


def test_bilinear_law_points_and_work():
    d0, df = LAW.onset_opening_nm, LAW.failure_opening_nm
    assert d0 == pytest.approx(0.005) and df == pytest.approx(1.0)
    zero = np.zeros((1, 1))
    t_peak, *_ = LAW.respond(np.array([d0]), zero, np.array([0.0]))
    t_half, *_ = LAW.respond(np.array([0.5 * (d0 + df)]), zero, np.array([0.0]))
    t_fail, *_ = LAW.respond(np.array([df]), zero, np.array([0.0]))
    assert t_peak[0] == pytest.approx(0.5)
    assert t_half[0] == pytest.approx(0.25)
    assert t_fail[0] == pytest.approx(0.0, abs=1e-12)
    # the work of separation to failure is Gc, by quadrature along a monotone opening
    openings = np.linspace(0.0, df, 200001)
    tractions, *_ = LAW.respond(openings, np.zeros((1, openings.size)), np.zeros_like(openings))
    assert np.trapezoid(tractions, openings) == pytest.approx(0.25, rel=1e-4)
    assert LAW.separation_work(np.array([df, 2 * df])) == pytest.approx([0.25, 0.25])


def test_damage_is_irreversible_and_compression_is_contact():
    _, _, _, peak, damage = LAW.respond(np.array([0.5]), np.zeros((1, 1)), np.array([0.0]))
    # unloading to a smaller opening keeps the damage: secant stiffness (1 − d) K
    t_back, _, tangent, peak_after, damage_after = LAW.respond(np.array([0.1]), np.zeros((1, 1)), peak)
    assert peak_after[0] == 0.5 and damage_after[0] == damage[0] > 0
    assert t_back[0] == pytest.approx((1 - damage[0]) * 100.0 * 0.1)
    assert tangent[0, 0, 0] == pytest.approx((1 - damage[0]) * 100.0)
    # compression: full penalty however damaged, and no new damage
    t_c, _, _, peak_c, _ = LAW.respond(np.array([-0.01]), np.zeros((1, 1)), np.array([2.0]))
    assert t_c[0] == pytest.approx(-1.0) and peak_c[0] == 2.0


def test_law_tangent_matches_finite_differences_in_mixed_mode():
    rng = np.random.default_rng(3)
    normal, slip, history = rng.uniform(0.01, 0.6, 20), rng.uniform(-0.4, 0.4, (1, 20)), np.zeros(20)
    tn, ts, tangent, *_ = LAW.respond(normal, slip, history)
    eps = 1e-7
    tn2, ts2, *_ = LAW.respond(normal + eps, slip, history)
    np.testing.assert_allclose(tangent[0, 0], (tn2 - tn) / eps, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(tangent[1, 0], (ts2[0] - ts[0]) / eps, rtol=1e-4, atol=1e-6)
    tn3, ts3, *_ = LAW.respond(normal, slip + eps, history)
    np.testing.assert_allclose(tangent[1, 1], (ts3[0] - ts[0]) / eps, rtol=1e-4, atol=1e-6)


def test_reduced_tangent_is_the_derivative_of_the_internal_force():
    law = CohesiveLaw(450.0, 0.87, 0.25)
    problem = PlateProblem(4.0, 36.0, 0.28, law, 20.0, 40.0, 60.0, 1.0)
    plate = AxisymmetricPlate(problem)
    rng = np.random.default_rng(0)
    u = rng.normal(scale=0.05, size=plate.n_dofs)
    u[plate.fixed] = 0.0
    force, stiffness, _ = plate.internal(u, plate.initial_history)
    direction = rng.normal(size=plate.n_dofs)
    direction[plate.fixed] = 0.0
    eps = 1e-7
    force2, _, _ = plate.internal(u + eps * direction, plate.initial_history)
    assembled = np.zeros(plate.n_dofs)
    np.add.at(assembled, plate.element_dofs, np.einsum("eij,ej->ei", stiffness, direction[plate.element_dofs]))
    assembled[plate.fixed] = 0.0
    np.testing.assert_allclose(assembled, (force2 - force) / eps, rtol=1e-4, atol=1e-6 * np.abs(assembled).max())


@pytest.mark.parametrize("case", BLISTERS, ids=["h10", "h6", "h20"])
def test_blister_matches_plate_theory(case):
    result = simulate_blister(**case)
    assert result.converged
    assert result.centre_deflection_analytic_nm == pytest.approx(0.2 * case["thickness_nm"])
    assert abs(result.critical_radius_error) < 0.05
    assert abs(result.centre_deflection_error) < 0.05


def test_blister_nonlinear_reduces_to_linear_plate_in_plate_regime():
    nonlinear = simulate_blister(**BLISTERS[0])
    linear = simulate_blister(**BLISTERS[0], geometric_nonlinearity=False)
    assert abs(linear.critical_radius_error) < 0.05 and abs(linear.centre_deflection_error) < 0.05
    assert nonlinear.critical_radius_nm == pytest.approx(linear.critical_radius_nm, rel=0.015)


def test_blister_step_and_mesh_convergence():
    base = simulate_blister(**BLISTERS[1])
    finer_steps = simulate_blister(**BLISTERS[1], load_steps=12)
    finer_mesh = simulate_blister(**BLISTERS[1], elements_per_thickness=16, elements_per_cohesive_zone=16)
    for other in (finer_steps, finer_mesh):
        assert other.critical_radius_nm == pytest.approx(base.critical_radius_nm, rel=0.01)
        assert other.centre_deflection_nm == pytest.approx(base.centre_deflection_nm, rel=0.02)


# From the plate to the membrane regime: (E GPa, ν, h nm, Gc J/m², σmax MPa, p MPa, regime). p and Gc
# put the limiting theory's w0/h at 0.05 … 30 (plate: a_c/h 20–30; membrane: w0/a_c 0.1–0.15, moderate
# slopes); σmax makes the cohesive zone E Gc/σmax² 0.15 h (plate) or 0.03 a_c (membrane) long: both
# references are sharp-crack theories. Transition sets (w0/h ≈ 1 and 3) are compared with neither.
BLISTER_REGIMES = [
    (165, 0.25, 10, 7.33e-05, 89.8, 0.293, "plate"),
    (100, 0.30, 6, 4.5e-05, 70.7, 0.15, "plate"),
    (50, 0.16, 20, 0.000684, 107.0, 0.342, "plate"),
    (200, 0.35, 4, 0.00012, 200.0, 0.3, "plate"),
    (120, 0.30, 4, 0.00174, 589.0, 0.868, "transition"),
    (80, 0.16, 5, 0.0122, 1140.0, 1.62, "transition"),
    (100, 0.30, 2, 0.0465, 881.0, 3.58, "membrane"),
    (165, 0.16, 4, 0.275, 1740.0, 7.05, "membrane"),
    (30, 0.16, 10, 0.305, 478.0, 2.35, "membrane"),
    (100, 0.30, 2, 0.236, 1400.0, 6.04, "membrane"),
]
REGIME_IDS = [f"{regime}{i}" for i, (*_, regime) in enumerate(BLISTER_REGIMES)]
_REGIME_RUNS: dict[tuple[int, float], object] = {}


def regime_blister(index: int, load_steps: float = 4.0):
    """One run per (set, load steps) for the whole module."""
    if (index, load_steps) not in _REGIME_RUNS:
        e, nu, h, gc, strength, p, _ = BLISTER_REGIMES[index]
        _REGIME_RUNS[index, load_steps] = simulate_blister(youngs_modulus_gpa=e, poisson_ratio=nu, thickness_nm=h,
                                                           fracture_energy_j_m2=gc, strength_mpa=strength, pressure_mpa=p,
                                                           load_steps=load_steps)
    return _REGIME_RUNS[index, load_steps]


@pytest.mark.parametrize("index", range(len(BLISTER_REGIMES)), ids=REGIME_IDS)
def test_blister_converges_and_matches_its_limit_from_plate_to_membrane(index):
    e, nu, h, gc, _, p, regime = BLISTER_REGIMES[index]
    result = regime_blister(index)
    assert result.converged and result.reason == ""
    assert abs(result.peak_pressure_mpa / p - 1.0) <= result.pressure_tolerance
    w0_h = result.centre_deflection_nm / h
    if regime == "plate":
        assert w0_h < 0.25
        assert abs(result.critical_radius_error) < 0.05
    elif regime == "membrane":
        assert w0_h > 9.0
        assert abs(result.critical_radius_membrane_error) < 0.05
    else:
        # bending and stretching both stiffen the film: it debonds later than either limit alone predicts
        assert 0.9 < w0_h < 3.0
        assert result.critical_radius_nm > max(result.critical_radius_analytic_nm, result.critical_radius_membrane_nm)


def test_blister_regimes_span_w0_over_h_from_005_to_30():
    ratios = [regime_blister(i).centre_deflection_nm / BLISTER_REGIMES[i][2] for i in range(len(BLISTER_REGIMES))]
    assert min(ratios) < 0.06 and max(ratios) > 29.0


@pytest.mark.parametrize("index", range(len(BLISTER_REGIMES)), ids=REGIME_IDS)
def test_blister_critical_radius_does_not_depend_on_load_steps(index):
    base, doubled = regime_blister(index, 4.0), regime_blister(index, 8.0)
    assert doubled.converged
    assert doubled.critical_radius_nm == pytest.approx(base.critical_radius_nm, rel=0.01)


def test_membrane_reference_formula():
    # a_c⁴ = K1 E h Gc³/(C³ p⁴): at that radius Hencky's w0 = (p a⁴/(K1 E h))^(1/3) is Gc/(0.65 p)
    a_c = blister_membrane_critical_radius_nm(100.0, 0.3, 2.0, 0.39, 10.0)
    w0 = (0.01 * a_c**4 / (3.58 * 100.0 * 2.0)) ** (1 / 3)
    assert 0.65 * 0.01 * w0 == pytest.approx(0.39)
    assert math.isnan(blister_membrane_critical_radius_nm(100.0, 0.25, 2.0, 0.39, 10.0))


def test_a_failed_blister_says_why():
    result = simulate_blister(**BLISTERS[0], tolerance=1e-17)
    assert not result.converged
    assert "no equilibrium" in result.reason
    assert json.loads(json.dumps(result.as_dict()))["reason"] == result.reason


def test_dissipation_is_the_laws_and_its_gradient_the_derivative():
    law = CohesiveLaw(450.0, 0.87, 0.25)
    d0, df = law.onset_opening_nm, law.failure_opening_nm
    openings = np.array([0.5 * d0, d0, 0.5 * (d0 + df), df, 2 * df])
    # W(λ) − T(λ) λ/2: zero at δ0, Gc at failure
    tractions, *_ = law.respond(openings, np.zeros((1, 5)), np.zeros(5))
    expected = np.where(openings < df, law.separation_work(openings) - 0.5 * tractions * openings, 0.25)
    np.testing.assert_allclose(law.dissipated_energy(openings), expected, atol=1e-12)
    problem = PlateProblem(4.0, 36.0, 0.28, law, 20.0, 40.0, 60.0, 1.0, pressure_follows_debond=True)
    plate = AxisymmetricPlate(problem)
    rng = np.random.default_rng(1)
    u = np.zeros(plate.n_dofs)
    u[1::3] = 0.4 * np.exp(-plate.nodes_nm / 25.0)
    u[0::3] = rng.normal(scale=0.02, size=plate.nodes_nm.size)
    u[plate.fixed] = 0.0
    history = plate.initial_history.copy()
    value, gradient = Dissipation(plate, history)(u)
    assert value > 0.0
    direction = rng.normal(size=plate.n_dofs)
    direction[plate.fixed] = 0.0
    eps = 1e-7
    assert (Dissipation(plate, history)(u + eps * direction)[0] - value) / eps == pytest.approx(gradient @ direction, rel=1e-4)


def test_fem_dissipation_gradient_is_the_derivative_and_axisymmetric_states_dissipate_alike():
    from interlayer.models.czm_fem import QuarterDiskPlate

    law = CohesiveLaw(450.0, 0.87, 0.25)
    problem = PlateProblem(4.0, 36.0, 0.28, law, 20.0, 40.0, 60.0, 2.0, pressure_follows_debond=True)
    plate, reduced = QuarterDiskPlate(problem, angular_elements=4), AxisymmetricPlate(problem)
    # the same axisymmetric deflection on both meshes: w = 0.4 exp(−r/25)
    u = np.zeros(plate.n_dofs)
    w_dofs = np.concatenate([plate.basis.nodal_dofs[2], plate.basis.facet_dofs[2]])
    radius = np.hypot(*plate.basis.doflocs[:, w_dofs])
    u[w_dofs] = 0.4 * np.exp(-radius / 25.0)
    value, gradient = Dissipation(plate, plate.initial_history)(u)
    v = np.zeros(reduced.n_dofs)
    v[1::3] = 0.4 * np.exp(-reduced.nodes_nm / 25.0)
    # quarter disk against ∫ r dr per radian: a factor π/2, to the quadrature of the two meshes
    assert value == pytest.approx(0.5 * np.pi * Dissipation(reduced, reduced.initial_history)(v)[0], rel=0.02)
    rng = np.random.default_rng(2)
    direction = rng.normal(size=plate.n_dofs)
    direction[plate.fixed] = 0.0
    eps = 1e-6
    dissipation = Dissipation(plate, plate.initial_history)
    central = (dissipation(u + eps * direction)[0] - dissipation(u - eps * direction)[0]) / (2 * eps)
    assert central == pytest.approx(gradient @ direction, rel=1e-6)


def test_blister_analytic_example_of_physics_reference():
    # Al2O3, ν = 0.25, Gc = 0.5 J/m², p = 100 MPa: a_c ≈ 49.5 / 98 / 166 nm at h = 4 / 10 / 20 nm
    radii = [blister_critical_radius_nm(165.0, 0.25, h, 0.5, 100.0) for h in (4.0, 10.0, 20.0)]
    assert radii == pytest.approx([49.5, 98.4, 165.5], rel=0.01)
    assert blister_critical_deflection_nm(0.5, 100.0) == pytest.approx(10.0)


def test_dendrite_opening_converges_in_steps_and_mesh():
    film = Film.from_thickness(4.0)
    base = simulate_czm("Li", film)
    assert base.converged
    for numerics in (dict(load_steps=16), dict(elements_per_thickness=16, elements_per_cohesive_zone=16)):
        assert simulate_czm("Li", film, **numerics).opening_nm == pytest.approx(base.opening_nm, rel=0.005)


@pytest.mark.parametrize("thickness_nm", [4.0, 20.0])
def test_fem_and_reduced_agree_within_five_percent(thickness_nm):
    film = Film.from_thickness(thickness_nm)
    reduced = simulate_czm("Li", film)
    fem = simulate_czm("Li", film, fidelity="fem")
    assert fem.converged and fem.fidelity == "fem"
    assert fem.normalized_length == pytest.approx(reduced.normalized_length, rel=0.05)


def test_fig4b_trends_with_the_reduced_model():
    thicknesses = np.arange(4.0, 21.0, 4.0)
    li = [simulate_czm("Li", Film.from_thickness(h)).normalized_length for h in thicknesses]
    na = [simulate_czm("Na", Film.from_thickness(h)).normalized_length for h in thicknesses]
    assert all(a > b for a, b in zip(li, na))
    assert np.all(np.diff(li) < 0) and np.all(np.diff(na) < 0)
    # 4 nm films deflect a sizeable fraction of their thickness: the von Kármán strains matter there
    linear = simulate_czm("Li", Film.from_thickness(4.0), geometric_nonlinearity=False).normalized_length
    assert linear > li[0] * 1.02


def test_result_fields_and_energy_release_rate():
    film = Film.from_thickness(6.0)
    result = simulate_czm("Na", film)
    assert isinstance(result, CzmResult)
    assert result.pressure_mpa == pytest.approx(59.0)
    assert result.normalized_length == pytest.approx(result.opening_nm / 6.0)
    assert 0.0 < result.energy_release_rate_j_m2 < film.fracture_energy_j_m2
    assert result.debond_length_nm == pytest.approx(20.0, abs=0.5)
    payload = json.loads(json.dumps(result.as_dict()))
    assert payload["fidelity"] == "reduced" and payload["model_version"] == "czm-3"


def test_opening_grows_with_pressure_and_a_wide_nucleus_debonds_further():
    film = Film.from_thickness(4.0)
    low, high = simulate_czm("Li", film, pressure_mpa=50.0), simulate_czm("Li", film, pressure_mpa=150.0)
    assert high.opening_nm > low.opening_nm
    wide = simulate_czm("Li", film, initial_debond_radius_nm=40.0)
    # the nucleus drives the front on: the debond grows beyond the nucleus and G sits at Gc
    assert wide.converged and wide.debond_length_nm > 45.0
    assert wide.energy_release_rate_j_m2 == pytest.approx(film.fracture_energy_j_m2)


def test_runaway_is_reported_not_converged():
    result = simulate_czm("Li", Film.from_thickness(4.0), initial_debond_radius_nm=60.0)
    assert not result.converged
    assert not math.isnan(result.opening_nm)
    assert "ran out of the finely meshed zone" in result.reason
    assert simulate_czm("Li", Film.from_thickness(4.0)).reason == ""


@pytest.mark.parametrize("kwargs, error, word", [
    (dict(fidelity="spectral"), SimulationInputError, "fidelity"),
    (dict(pressure_mpa=-1.0), SimulationInputError, "pressure_mpa"),
    (dict(initial_debond_radius_nm=math.nan), SimulationInputError, "initial_debond_radius_nm"),
    (dict(mesh="fine"), SimulationInputError, "unknown CZM option"),
    (dict(penalty_factor=0.0), SimulationInputError, "penalty_factor"),
    (dict(penalty_factor=1e-6), SimulationInputError, "penalty stiffness"),
])
def test_bad_simulation_input(kwargs, error, word):
    with pytest.raises(error, match=word):
        simulate_czm("Li", Film.from_thickness(4.0), **kwargs)


def test_bad_metal_and_blister_input():
    with pytest.raises(UnknownMetalError):
        simulate_czm("Xe", Film.from_thickness(4.0))
    with pytest.raises(SimulationInputError, match="pressure_mpa"):
        simulate_blister(**(BLISTERS[0] | {"pressure_mpa": 0.0}))
    with pytest.raises(SimulationInputError, match="fidelity"):
        simulate_blister(**BLISTERS[0], fidelity="exact")
