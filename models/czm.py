"""Cohesive-zone model of film delamination over a dendrite nucleus (paper Fig. 4a–b), and its blister check.

An elastic film of thickness h lies on a rigid metal. Over r < a0 it is already delaminated and a
nucleus pushes on it with the dendrite pressure σ of Eq. (1); beyond a0 it is bonded by the
bilinear traction–separation law of ``czm_law``. The film is a Reissner–Mindlin plate with von
Kármán strains (a 4 nm film deflects more than its thickness; a0/h reaches 1 at 20 nm, so
transverse shear is kept). The opening at the axis once the pressure is fully applied is the
"dendrite length". Two fidelities solve the same problem:

- ``reduced``: axisymmetric 1D finite elements, banded Newton (``czm_reduced``);
- ``fem``: a 2D finite-element plate on a quarter-disk mesh, scikit-fem, sparse LU (``czm_fem``).

Both share plate kinematics: their agreement checks the discretizations and the axisymmetric
reduction, not plate theory itself against a 3D continuum.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

import numpy as np

from .czm_law import CohesiveLaw
from .czm_reduced import AxisymmetricPlate
from .czm_solver import NewtonOptions, Peak, PlateProblem, follow_path, follow_to_peak
from .electrochem import dendrite_pressure_mpa, metal as lookup_metal
from .errors import SimulationInputError, require_positive
from .film import Film

# czm-2: results state their equilibrium tolerance and why a run failed (issue 17); the numbers are those of czm-1
MODEL_VERSION = "czm-3"
PROFILE_POINTS = 80
FIDELITIES = ("reduced", "fem")

# Radius of the initially delaminated zone a0 (assumption): a nucleus 40 nm across, the size of the
# first Li/Na deposits seen under ALD films; the paper's phase-field seed (4 nm radius) is smaller,
# and under its 4 nm film a 4 nm seed would only load a disc as wide as the film is thick.
DEFAULT_INITIAL_DEBOND_RADIUS_NM = 20.0


@dataclass(frozen=True)
class Numerics:
    """Discretization and solver settings; the defaults meet Turon et al. (2007)'s guidance."""

    # K = penalty_factor · E / h  (Turon: K ≳ 50 E/h)
    penalty_factor: float = 50.0
    # l_cz = M E Gc / σmax², M = 1; elements across it in the fine zone
    elements_per_cohesive_zone: float = 8.0
    # and at most h / elements_per_thickness, so the bending boundary layer at the front is resolved
    elements_per_thickness: float = 8.0
    # first axis-opening step = estimate / load_steps; later steps adapt to the Newton iteration count
    load_steps: float = 4.0
    tolerance: float = 1e-9
    geometric_nonlinearity: bool = True
    # 2D mesh only: elements over the quarter circle
    angular_elements: int = 6

    @classmethod
    def from_options(cls, **options) -> "Numerics":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise SimulationInputError(f"unknown CZM option{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}; "
                                       f"known: {', '.join(sorted(known))}")
        numerics = cls(**{k: v for k, v in options.items() if v is not None})
        for name in ("penalty_factor", "elements_per_cohesive_zone", "elements_per_thickness", "load_steps", "tolerance"):
            require_positive(name, getattr(numerics, name), SimulationInputError)
        if numerics.angular_elements < 2:
            raise SimulationInputError(f"angular_elements must be at least 2, got {numerics.angular_elements}")
        return numerics


def _json_safe(values: dict) -> dict:
    """Plain Python scalars for JSON: numpy floats become float, non-finite values None."""
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else float(v) if isinstance(v, float) else v)
            for k, v in values.items()}


@dataclass(frozen=True)
class CzmResult:
    """Equilibrium of a film over a pushing nucleus (lengths nm, pressure MPa, energy J m⁻²)."""

    metal: str | None
    thickness_nm: float
    pressure_mpa: float
    fidelity: str
    initial_debond_radius_nm: float
    opening_nm: float
    normalized_length: float
    debond_length_nm: float
    energy_release_rate_j_m2: float
    fracture_energy_j_m2: float
    converged: bool
    iterations: int
    # converged: every state in equilibrium to ‖f_int − p f‖ ≤ equilibrium_tolerance · ‖p f‖, the last at the pressure
    equilibrium_tolerance: float
    # why the run did not converge; empty when it did
    reason: str = ""
    model_version: str = MODEL_VERSION
    # the interface's opening (its largest so far) against the radius, at most PROFILE_POINTS points
    profile_radius_nm: tuple[float, ...] = ()
    profile_opening_nm: tuple[float, ...] = ()

    def as_dict(self) -> dict:
        return _json_safe(asdict(self))


@dataclass(frozen=True)
class BlisterResult:
    """Clamped circular blister: the solver's critical state against plate theory and Hencky's membrane.

    ``converged`` is True when every state the solver used is in equilibrium within
    ``equilibrium_tolerance`` (‖f_int − p f‖ ≤ tol ‖p f‖), every path reached and located its
    pressure peak, and the blister of radius ``critical_radius_nm`` peaks at the given pressure
    within ``pressure_tolerance`` (|p_peak/p − 1|); otherwise ``reason`` says which failed.
    The membrane references are None where K1(ν) is not tabulated.
    """

    youngs_modulus_gpa: float
    poisson_ratio: float
    thickness_nm: float
    fracture_energy_j_m2: float
    strength_mpa: float
    pressure_mpa: float
    fidelity: str
    geometric_nonlinearity: bool
    critical_radius_nm: float
    critical_radius_analytic_nm: float
    critical_radius_membrane_nm: float
    centre_deflection_nm: float
    centre_deflection_analytic_nm: float
    centre_deflection_membrane_nm: float
    peak_pressure_mpa: float
    converged: bool
    iterations: int
    equilibrium_tolerance: float
    pressure_tolerance: float
    reason: str = ""

    @property
    def critical_radius_error(self) -> float:
        return self.critical_radius_nm / self.critical_radius_analytic_nm - 1.0

    @property
    def centre_deflection_error(self) -> float:
        return self.centre_deflection_nm / self.centre_deflection_analytic_nm - 1.0

    @property
    def critical_radius_membrane_error(self) -> float:
        return self.critical_radius_nm / self.critical_radius_membrane_nm - 1.0

    def as_dict(self) -> dict:
        values = asdict(self) | {"critical_radius_error": self.critical_radius_error,
                                 "centre_deflection_error": self.centre_deflection_error,
                                 "critical_radius_membrane_error": self.critical_radius_membrane_error}
        return _json_safe(values)


def blister_critical_radius_nm(youngs_modulus_gpa: float, poisson_ratio: float, thickness_nm: float,
                               fracture_energy_j_m2: float, pressure_mpa: float) -> float:
    """Plate theory: a_c = (128 D Gc / p²)^(1/4), D = E h³ / (12 (1 − ν²))."""
    d_gpa_nm3 = youngs_modulus_gpa * thickness_nm**3 / (12.0 * (1.0 - poisson_ratio**2))
    p_gpa = pressure_mpa / 1e3
    return (128.0 * d_gpa_nm3 * fracture_energy_j_m2 / p_gpa**2) ** 0.25


# Hencky's clamped membrane (corrected constants): p a⁴ / (E h w0³) = K1(ν)
HENCKY_K1 = {0.16: 3.09, 0.3: 3.58}
# and its energy release rate at constant pressure, G = C p w0 with C = (5/4) V/(π a² w0) ≈ 0.65.
# Checked by shooting on the membrane's equation N'' + 3N'/r = −1/(8N²) (E h = p = a = 1; N the
# radial stress resultant, N' = (ν − 1) N at the clamp where u = 0): K1 = 3.094 / 3.584 and
# C = 0.656 / 0.652 at ν = 0.16 / 0.3. With C = 0.65, a_c here is 0.6 % / 0.3 % above the exact C's.
HENCKY_RELEASE_COEFFICIENT = 0.65


def _hencky_k1(poisson_ratio: float) -> float:
    return next((k1 for nu, k1 in HENCKY_K1.items() if abs(nu - poisson_ratio) < 1e-9), math.nan)


def blister_membrane_critical_radius_nm(youngs_modulus_gpa: float, poisson_ratio: float, thickness_nm: float,
                                        fracture_energy_j_m2: float, pressure_mpa: float) -> float:
    """Hencky's membrane: a_c = (K1 E h Gc³ / (C³ p⁴))^(1/4); NaN where K1(ν) is not tabulated.

    Derivation: w0 = (p a⁴/(K1 E h))^(1/3), so the volume V = c_V π a² w0 grows as a^(10/3). The
    membrane's pressure rises as w0³, so its strain energy is U = p V/4, and at constant pressure
    G = −∂(U − p V)/∂(π a²) = (3/4) p ∂V/∂(π a²) = (5/4) c_V p w0 ≡ C p w0 (C ≈ 0.65).
    G = Gc gives w0 = Gc/(C p); with p a⁴ = K1 E h w0³: a_c⁴ = K1 E h Gc³/(C³ p⁴).
    """
    return _membrane_radius_nm(_hencky_k1(poisson_ratio), youngs_modulus_gpa, thickness_nm, fracture_energy_j_m2, pressure_mpa)


def _membrane_radius_nm(k1: float, youngs_modulus_gpa: float, thickness_nm: float, fracture_energy_j_m2: float,
                        pressure_mpa: float) -> float:
    c, p_gpa = HENCKY_RELEASE_COEFFICIENT, pressure_mpa / 1e3
    return (k1 * youngs_modulus_gpa * thickness_nm * fracture_energy_j_m2**3 / (c**3 * p_gpa**4)) ** 0.25


def blister_membrane_critical_deflection_nm(fracture_energy_j_m2: float, pressure_mpa: float) -> float:
    """Hencky's membrane: w0 = Gc / (C p) at debond."""
    return fracture_energy_j_m2 / (HENCKY_RELEASE_COEFFICIENT * pressure_mpa / 1e3)


def blister_critical_deflection_nm(fracture_energy_j_m2: float, pressure_mpa: float) -> float:
    """Plate theory: the centre deflection when the blister debonds, w0 = 2 Gc / p."""
    return 2.0 * fracture_energy_j_m2 / (pressure_mpa / 1e3)


def _discretization(problem: PlateProblem, fidelity: str, numerics: Numerics):
    if fidelity == "reduced":
        return AxisymmetricPlate(problem)
    if fidelity == "fem":
        from .czm_fem import QuarterDiskPlate  # scikit-fem loads only when asked for

        return QuarterDiskPlate(problem, angular_elements=numerics.angular_elements)
    raise SimulationInputError(f"unknown fidelity {fidelity!r}; choose one of: {', '.join(FIDELITIES)}")


def _plate_problem(film: Film, numerics: Numerics, *, debond_radius_nm: float, fine_end_nm: float,
                   pressure_follows_debond: bool) -> PlateProblem:
    h, e = film.thickness_nm, film.modulus_gpa
    strength_gpa = film.strength_mpa / 1e3
    law = CohesiveLaw(numerics.penalty_factor * e / h, strength_gpa, film.fracture_energy_j_m2)
    # l_cz = M E Gc / σmax² with M = 1
    zone_nm = e * film.fracture_energy_j_m2 / strength_gpa**2
    step = min(zone_nm / numerics.elements_per_cohesive_zone, h / numerics.elements_per_thickness)
    return PlateProblem(
        thickness_nm=h, modulus_gpa=e, poisson_ratio=film.poisson_ratio, law=law,
        debond_radius_nm=debond_radius_nm, fine_end_nm=fine_end_nm,
        outer_radius_nm=fine_end_nm + 8.0 * h, fine_step_nm=step,
        pressure_follows_debond=pressure_follows_debond, geometric_nonlinearity=numerics.geometric_nonlinearity,
    )


def _debond_radius_nm(radius_nm: np.ndarray, history: np.ndarray, law: CohesiveLaw) -> float:
    """Radius of the fully debonded zone: midway between the last fully damaged and the first intact point."""
    radius_nm, history = radius_nm.ravel(), history.ravel()
    broken = history >= law.failure_opening_nm * (1.0 - 1e-9)
    first_intact = radius_nm[~broken].min()
    last_broken = radius_nm[broken & (radius_nm < first_intact)]
    return 0.5 * (first_intact + last_broken.max()) if last_broken.size else 0.0


def _clamped_deflection_nm(problem: PlateProblem, pressure_gpa: float) -> float:
    """Linear clamped Mindlin plate: w0 = p a⁴/(64 D) + p a²/(4 k G h); sizes the first step only."""
    a = problem.debond_radius_nm
    return pressure_gpa * a**4 / (64.0 * problem.bending_stiffness_gpa_nm3) + pressure_gpa * a**2 / (4.0 * problem.shear_stiffness_gpa_nm)


def _tip_release_rate(model, state, law: CohesiveLaw, tip_radius_nm: float) -> float:
    """J at the original front: the work of separation done on the interface there (Rice 1968 for a cohesive zone)."""
    interface = model.interface_state(state.displacement)
    equivalent = float(np.interp(tip_radius_nm, interface["radius_nm"], interface["equivalent_nm"]))
    return float(law.separation_work(equivalent))


def simulate_czm(metal: str, film: Film, *, fidelity: str = "reduced", pressure_mpa: float | None = None,
                 initial_debond_radius_nm: float = DEFAULT_INITIAL_DEBOND_RADIUS_NM, **numerics) -> CzmResult:
    """Equilibrium opening of ``film`` over a nucleus of radius ``initial_debond_radius_nm`` pushing with the dendrite pressure.

    ``pressure_mpa`` defaults to ``dendrite_pressure_mpa(metal)`` (Li 100, Na 59 MPa). ``numerics``
    are ``Numerics`` fields. ``converged`` means every state is in equilibrium to
    ‖f_int − p f‖ ≤ ``tolerance``·‖p f‖ (``Numerics.tolerance``, 1e-9) and the last one is at the
    target pressure to 1e-6. It is False, with ``reason`` saying why, when the pressure exceeds
    what the bond can hold (the debond runs out of the modelled zone, a0 + max(3 l_cz, 4 h)) or
    Newton fails; the numbers are then those of the last equilibrium reached.
    """
    symbol = lookup_metal(metal).symbol
    if not isinstance(film, Film):
        raise SimulationInputError(f"film must be a Film, got {type(film).__name__}")
    pressure = dendrite_pressure_mpa(symbol) if pressure_mpa is None else require_positive("pressure_mpa", pressure_mpa, SimulationInputError)
    a0 = require_positive("initial_debond_radius_nm", initial_debond_radius_nm, SimulationInputError)
    opts = Numerics.from_options(**numerics)
    strength_gpa = film.strength_mpa / 1e3
    zone_nm = film.modulus_gpa * film.fracture_energy_j_m2 / strength_gpa**2
    problem = _plate_problem(film, opts, debond_radius_nm=a0, fine_end_nm=a0 + max(3.0 * zone_nm, 4.0 * film.thickness_nm),
                             pressure_follows_debond=False)
    model = _discretization(problem, fidelity, opts)
    p_gpa = pressure / 1e3
    first_step = _clamped_deflection_nm(problem, p_gpa) / opts.load_steps
    path = follow_path(model, first_step, target_pressure_gpa=p_gpa, opts=NewtonOptions(tolerance=opts.tolerance))
    state = path.states[-1]
    opening = float(state.displacement[model.centre_dof])
    radius, history = model.quadrature_radius_nm, state.history
    return CzmResult(
        metal=symbol, thickness_nm=film.thickness_nm, pressure_mpa=pressure, fidelity=fidelity,
        initial_debond_radius_nm=a0, opening_nm=opening, normalized_length=opening / film.thickness_nm,
        debond_length_nm=float(_debond_radius_nm(radius, history, problem.law)),
        energy_release_rate_j_m2=_tip_release_rate(model, state, problem.law, a0),
        fracture_energy_j_m2=film.fracture_energy_j_m2, converged=path.converged, iterations=path.iterations,
        equilibrium_tolerance=opts.tolerance, reason=path.reason, **_opening_profile(radius, history),
    )


def _opening_profile(radius_nm: np.ndarray, opening_nm: np.ndarray) -> dict[str, tuple[float, ...]]:
    """The opening at the interface's quadrature points, by radius, thinned to PROFILE_POINTS points."""
    radius_nm, opening_nm = radius_nm.ravel(), opening_nm.ravel()
    order = np.argsort(radius_nm, kind="stable")
    keep = order[np.linspace(0, len(order) - 1, min(PROFILE_POINTS, len(order))).astype(int)]
    return {"profile_radius_nm": tuple(float(r) for r in radius_nm[keep]),
            "profile_opening_nm": tuple(float(w) for w in opening_nm[keep])}


# The critical radius is found when the blister of that radius peaks at the given pressure to within
# this fraction. The pressure along a path rises and falls in teeth about 0.1 % high as the front
# crosses element after element (membrane regime, default mesh): a tighter tolerance would chase them.
BLISTER_PRESSURE_TOLERANCE = 1e-3
BLISTER_SECANT_ITERATIONS = 12


def _blister_film(youngs_modulus_gpa: float, poisson_ratio: float, thickness_nm: float, fracture_energy_j_m2: float,
                  strength_mpa: float) -> Film:
    return Film(thickness_nm=thickness_nm, modulus_gpa=youngs_modulus_gpa, modulus_in_plane_gpa=youngs_modulus_gpa,
                modulus_through_thickness_gpa=youngs_modulus_gpa, poisson_ratio=poisson_ratio,
                strength_mpa=strength_mpa, fracture_energy_j_m2=fracture_energy_j_m2, structure="single")


def _k1_guess(poisson_ratio: float) -> float:
    """K1(ν) through the two tabulated values, for first guesses and step sizes only."""
    (nu0, k0), (nu1, k1) = sorted(HENCKY_K1.items())
    return k0 + (poisson_ratio - nu0) * (k1 - k0) / (nu1 - nu0)


def _blister_peak(film: Film, opts: Numerics, fidelity: str, radius_nm: float, fine_zone_nm: float, pressure_gpa: float) -> Peak:
    """The pressure peak of a blister debonded out to ``radius_nm``: the pressure at which it starts to grow."""
    problem = _plate_problem(film, opts, debond_radius_nm=radius_nm, fine_end_nm=radius_nm + fine_zone_nm,
                             pressure_follows_debond=True)
    model = _discretization(problem, fidelity, opts)
    # the smaller of the plate's and the membrane's deflection at the target pressure sizes the first step
    membrane = (pressure_gpa * radius_nm**4 / (_k1_guess(film.poisson_ratio) * film.modulus_gpa * film.thickness_nm)) ** (1 / 3)
    estimate = min(_clamped_deflection_nm(problem, pressure_gpa), membrane)
    return follow_to_peak(model, estimate / (4.0 * opts.load_steps), NewtonOptions(tolerance=opts.tolerance))


def _critical_radius(peak_at, pressure_gpa: float, radii: list[float]) -> tuple[float, Peak, int, str]:
    """Secant on log p_peak(log a) = log p from two radii: the radius, its peak, the iterations and why it failed ('' if not)."""
    peaks, iterations = [], 0
    for _ in range(BLISTER_SECANT_ITERATIONS + 2):
        if len(peaks) == len(radii):
            (x0, x1), (p0, p1) = radii[-2:], (pk.pressure_gpa for pk in peaks[-2:])
            slope = (math.log(p1) - math.log(p0)) / (math.log(x1) - math.log(x0))
            if not (math.isfinite(slope) and slope < 0.0):
                return radii[-1], peaks[-1], iterations, (f"the peak pressure does not fall with the radius between "
                                                          f"{x0:.4g} and {x1:.4g} nm ({p0 * 1e3:.6g}, {p1 * 1e3:.6g} MPa)")
            # a step of at most a factor 2 in radius
            radii.append(x1 * math.exp(np.clip(math.log(pressure_gpa / p1) / slope, -math.log(2.0), math.log(2.0))))
        peaks.append(peak_at(radii[len(peaks)]))
        iterations += peaks[-1].iterations
        if not peaks[-1].converged:
            return radii[len(peaks) - 1], peaks[-1], iterations, f"blister of radius {radii[len(peaks) - 1]:.4g} nm: {peaks[-1].reason}"
        if len(peaks) >= 2 and abs(peaks[-1].pressure_gpa / pressure_gpa - 1.0) <= BLISTER_PRESSURE_TOLERANCE:
            return radii[-1], peaks[-1], iterations, ""
    return radii[-1], peaks[-1], iterations, (f"secant on the radius: |p_peak/p - 1| = {abs(peaks[-1].pressure_gpa / pressure_gpa - 1):.2g} "
                                              f"> {BLISTER_PRESSURE_TOLERANCE:g} after {BLISTER_SECANT_ITERATIONS} iterations")


def simulate_blister(*, youngs_modulus_gpa: float, poisson_ratio: float, thickness_nm: float,
                     fracture_energy_j_m2: float, strength_mpa: float, pressure_mpa: float, fidelity: str = "reduced",
                     **numerics) -> BlisterResult:
    """Clamped circular blister, pressure on the whole debonded area: the debond radius that ``pressure_mpa`` just opens.

    For an initial debond radius a the path is followed from the unloaded state, past snap-backs
    (``czm_solver.follow_to_peak``), until the pressure peaks: p_peak(a) is the pressure at which
    that blister starts to grow, an equilibrium state located to ``NewtonOptions.peak_tolerance``
    in its control. The secant method on log p_peak(log a) finds a_c with
    |p_peak(a_c)/p − 1| ≤ ``BLISTER_PRESSURE_TOLERANCE`` (1e-3); w0 is the axis opening there.
    ``converged`` means that, and every state in equilibrium to ‖f_int − p f‖ ≤ ``tolerance``·‖p f‖
    (``Numerics.tolerance``, 1e-9); when False, ``reason`` says what failed. Plate theory and
    Hencky's membrane only give the first guess and size the mesh and steps.
    """
    film = _blister_film(youngs_modulus_gpa, poisson_ratio, thickness_nm, fracture_energy_j_m2, strength_mpa)
    pressure = require_positive("pressure_mpa", pressure_mpa, SimulationInputError)
    opts = Numerics.from_options(**numerics)
    if fidelity not in FIDELITIES:
        raise SimulationInputError(f"unknown fidelity {fidelity!r}; choose one of: {', '.join(FIDELITIES)}")
    analytic = (youngs_modulus_gpa, poisson_ratio, thickness_nm, fracture_energy_j_m2, pressure)
    a_plate, a_membrane = blister_critical_radius_nm(*analytic), blister_membrane_critical_radius_nm(*analytic)
    # the film is stiffer than either limit alone: a_c lies above both; the guess is the larger
    guess = max(a_plate, _membrane_radius_nm(_k1_guess(poisson_ratio), youngs_modulus_gpa, thickness_nm, fracture_energy_j_m2, pressure))

    def peak_at(radius_nm: float) -> Peak:
        return _blister_peak(film, opts, fidelity, radius_nm, 0.3 * guess, pressure / 1e3)

    if fidelity == "fem":
        # the 2D model starts from the reduced model's answer, 1 % apart
        start = simulate_blister(youngs_modulus_gpa=youngs_modulus_gpa, poisson_ratio=poisson_ratio, thickness_nm=thickness_nm,
                                 fracture_energy_j_m2=fracture_energy_j_m2, strength_mpa=strength_mpa,
                                 pressure_mpa=pressure, **numerics).critical_radius_nm
        radii = [0.99 * start, start]
    else:
        radii = [guess, 0.9 * guess]
    radius, peak, iterations, reason = _critical_radius(peak_at, pressure / 1e3, radii)
    return BlisterResult(
        youngs_modulus_gpa=youngs_modulus_gpa, poisson_ratio=poisson_ratio, thickness_nm=thickness_nm,
        fracture_energy_j_m2=fracture_energy_j_m2, strength_mpa=strength_mpa, pressure_mpa=pressure,
        fidelity=fidelity, geometric_nonlinearity=opts.geometric_nonlinearity,
        critical_radius_nm=radius, critical_radius_analytic_nm=a_plate, critical_radius_membrane_nm=a_membrane,
        centre_deflection_nm=peak.axis_opening_nm, centre_deflection_analytic_nm=blister_critical_deflection_nm(fracture_energy_j_m2, pressure),
        centre_deflection_membrane_nm=blister_membrane_critical_deflection_nm(fracture_energy_j_m2, pressure)
        if math.isfinite(a_membrane) else math.nan,
        peak_pressure_mpa=peak.pressure_gpa * 1e3, converged=not reason, iterations=iterations,
        equilibrium_tolerance=opts.tolerance, pressure_tolerance=BLISTER_PRESSURE_TOLERANCE, reason=reason,
    )
