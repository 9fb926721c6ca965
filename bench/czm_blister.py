"""Clamped blister from the plate to the membrane regime: the CZM's critical radius against the two limits.

The ten (E, ν, h, Gc, σmax, p) sets of tests/test_czm.py (w0/h from 0.05 to 30). For each: the
critical radius a_c and axis opening w0 of the reduced model, its error against plate theory
a_c = (128 D Gc/p²)^¼ in the plate regime and against Hencky's membrane a_c = (K1 E h Gc³/(C³ p⁴))^¼
(K1 3.09 at ν 0.16, 3.58 at ν 0.3; C = 0.65) in the membrane regime, the change of a_c when the
load steps double, whether the run converged and the time per blister. Then the reduced model's
time per (metal, film) on the Fig. 4b sweep (``simulate_czm``) beside the baseline before the path
following was reworked.

    python -m bench.czm_blister
"""

from __future__ import annotations

import time

import numpy as np

from interlayer.models.czm import simulate_blister, simulate_czm
from interlayer.models.film import Film
from tests.test_czm import BLISTER_REGIMES

TARGET = 0.05
STEP_TARGET = 0.01
REDUCED_TARGET_MS = 20.0
# bench.czm_sweep's timing of simulate_czm (best of 5, CPU) at d634a47, before this rework, on this machine
BASELINE_MS = {"median": 14.0, "max": 21.1}
THICKNESSES_NM = np.arange(4, 21, 2)


def _blister(case: tuple, load_steps: float):
    e, nu, h, gc, strength, p, _ = case
    start = time.process_time()
    result = simulate_blister(youngs_modulus_gpa=e, poisson_ratio=nu, thickness_nm=h, fracture_energy_j_m2=gc,
                              strength_mpa=strength, pressure_mpa=p, load_steps=load_steps)
    return result, time.process_time() - start


def blister_table() -> bool:
    print(f"{'regime':>10} {'E':>4} {'nu':>5} {'h':>3} {'Gc J/m2':>9} {'smax':>6} {'p MPa':>6} {'w0/h':>7} {'a_c nm':>9} "
          f"{'plate':>8} {'Hencky':>8} {'2x steps':>9} {'conv':>5} {'s':>5}")
    ok = True
    for case in BLISTER_REGIMES:
        e, nu, h, gc, strength, p, regime = case
        base, seconds = _blister(case, 4.0)
        doubled, _ = _blister(case, 8.0)
        steps = doubled.critical_radius_nm / base.critical_radius_nm - 1.0
        error = {"plate": base.critical_radius_error, "membrane": base.critical_radius_membrane_error}.get(regime, 0.0)
        ok &= base.converged and doubled.converged and abs(error) < TARGET and abs(steps) < STEP_TARGET
        membrane = f"{base.critical_radius_membrane_error:+8.2%}" if np.isfinite(base.critical_radius_membrane_nm) else f"{'-':>8}"
        print(f"{regime:>10} {e:4g} {nu:5.2f} {h:3g} {gc:9.3g} {strength:6.4g} {p:6.3g} {base.centre_deflection_nm / h:7.3f} "
              f"{base.critical_radius_nm:9.2f} {base.critical_radius_error:+8.2%} {membrane} {steps:+9.4%} "
              f"{'yes' if base.converged and doubled.converged else 'NO':>5} {seconds:5.2f}  {base.reason or doubled.reason}")
    print(f"all converged, plate/membrane sets within {TARGET:.0%} of their limit, a_c within {STEP_TARGET:.0%} "
          f"on doubled steps: {'yes' if ok else 'NO'}")
    return ok


def film_timing() -> None:
    cpu = []
    for metal in ("Li", "Na"):
        for h in THICKNESSES_NM:
            film = Film.from_thickness(float(h))
            best = np.inf
            for _ in range(5):
                start = time.process_time()
                simulate_czm(metal, film)
                best = min(best, time.process_time() - start)
            cpu.append(best * 1e3)
    print(f"\nreduced CZM per (metal, film), Fig. 4b sweep, best of 5 CPU: median {np.median(cpu):.1f} ms, max {max(cpu):.1f} ms"
          f"   baseline median {BASELINE_MS['median']:.1f} ms, max {BASELINE_MS['max']:.1f} ms   target <= {REDUCED_TARGET_MS:.0f} ms")


def main() -> None:
    blister_table()
    film_timing()


if __name__ == "__main__":
    main()
