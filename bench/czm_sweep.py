"""Paper Fig. 4b: normalized dendrite length against film thickness for Li (100 MPa) and Na (59 MPa).

Both fidelities of the cohesive-zone model over h = 4, 6, …, 20 nm on (1ALD-1MLD) alloy films.
Prints the curves, the checks (Li above Na, both falling with h), the thickness Li needs to match
Na's length at 4 nm, the reduced model's time per (metal, film), the FEM sweep time and the
reduced-vs-FEM disagreement, each beside its target; writes bench/out/czm_sweep.png.

    python -m bench.czm_sweep
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from scipy.optimize import brentq

from interlayer.models.czm import DEFAULT_INITIAL_DEBOND_RADIUS_NM, simulate_czm
from interlayer.models.electrochem import dendrite_pressure_mpa
from interlayer.models.film import Film

THICKNESSES_NM = np.arange(4, 21, 2)
METALS = ("Li", "Na")
REDUCED_TARGET_MS = 20.0
# this bench's reduced-model timing at d634a47, before the path following was reworked (issue 17), on this machine
REDUCED_BASELINE_MS = {"median": 14.0, "max": 21.1}
FEM_SWEEP_TARGET_S = 60.0
AGREEMENT_TARGET = 0.05
OUT = Path(__file__).parent / "out"


def _timed(function, repeats: int):
    """Best-of-``repeats`` wall and CPU seconds, and the result."""
    best_wall = best_cpu = np.inf
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return result, best_wall, best_cpu


def main() -> None:
    print(f"CZM sweep: (1ALD-1MLD) alloy films, nucleus radius {DEFAULT_INITIAL_DEBOND_RADIUS_NM:g} nm, "
          f"σ_Li = {dendrite_pressure_mpa('Li'):.0f} MPa, σ_Na = {dendrite_pressure_mpa('Na'):.0f} MPa")
    reduced: dict[str, list[float]] = {m: [] for m in METALS}
    fem: dict[str, list[float]] = {m: [] for m in METALS}
    converged = True
    reduced_wall, reduced_cpu = [], []
    for metal in METALS:
        for h in THICKNESSES_NM:
            film = Film.from_thickness(float(h))
            result, wall, cpu = _timed(lambda: simulate_czm(metal, film), repeats=5)
            reduced[metal].append(result.normalized_length)
            reduced_wall.append(wall)
            reduced_cpu.append(cpu)
            converged &= result.converged

    fem_wall, fem_cpu = time.perf_counter(), time.process_time()
    for metal in METALS:
        for h in THICKNESSES_NM:
            result = simulate_czm(metal, Film.from_thickness(float(h)), fidelity="fem")
            fem[metal].append(result.normalized_length)
            converged &= result.converged
    fem_wall, fem_cpu = time.perf_counter() - fem_wall, time.process_time() - fem_cpu

    print(f"\n{'h nm':>5} {'Li reduced':>11} {'Li fem':>11} {'Na reduced':>11} {'Na fem':>11} {'|fem/red-1|':>12}")
    disagreement = []
    for i, h in enumerate(THICKNESSES_NM):
        gap = max(abs(fem[m][i] / reduced[m][i] - 1.0) for m in METALS)
        disagreement.append(gap)
        print(f"{h:5d} {reduced['Li'][i]:11.5f} {fem['Li'][i]:11.5f} {reduced['Na'][i]:11.5f} {fem['Na'][i]:11.5f} {gap:12.2%}")

    def ok(flag: bool) -> str:
        return "yes" if flag else "NO"

    li_above = all(reduced["Li"][i] > reduced["Na"][i] and fem["Li"][i] > fem["Na"][i] for i in range(len(THICKNESSES_NM)))
    falling = all(np.all(np.diff(curve[m]) < 0) for curve in (reduced, fem) for m in METALS)
    print(f"\nall cases converged: {ok(converged)}")
    print(f"Li above Na at every h (both fidelities): {ok(li_above)}")
    print(f"both falling with h (both fidelities): {ok(falling)}")

    # the thickness where Li's length equals Na's at 4 nm: a root of the reduced model in h
    na_at_4 = reduced["Na"][0]
    match_nm = brentq(lambda h: simulate_czm("Li", Film.from_thickness(h)).normalized_length - na_at_4,
                      float(THICKNESSES_NM[0]), float(THICKNESSES_NM[-1]), xtol=1e-3)
    print(f"Li matches Na's 4 nm length ({na_at_4:.4f}) at h = {match_nm:.2f} nm")

    print(f"\nreduced model per (metal, film): median {np.median(reduced_cpu) * 1e3:.1f} ms CPU, "
          f"max {max(reduced_cpu) * 1e3:.1f} ms CPU (median wall {np.median(reduced_wall) * 1e3:.1f} ms)   "
          f"baseline median {REDUCED_BASELINE_MS['median']:.1f}, max {REDUCED_BASELINE_MS['max']:.1f} ms CPU   "
          f"target <= {REDUCED_TARGET_MS:.0f} ms")
    print(f"FEM sweep, 2 x {len(THICKNESSES_NM)} cases: {fem_wall:.1f} s wall, {fem_cpu:.1f} s CPU   target <= {FEM_SWEEP_TARGET_S:.0f} s")
    print(f"max reduced-vs-FEM disagreement: {max(disagreement):.2%}   target <= {AGREEMENT_TARGET:.0%}")

    OUT.mkdir(exist_ok=True)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 4))
    for metal, colour in zip(METALS, ("tab:red", "tab:blue")):
        ax.plot(THICKNESSES_NM, reduced[metal], "-o", color=colour, label=f"{metal} reduced")
        ax.plot(THICKNESSES_NM, fem[metal], "x", color=colour, ms=9, label=f"{metal} 2D FEM")
    ax.axvline(match_nm, color="grey", ls=":", label=f"Li = Na@4 nm at {match_nm:.1f} nm")
    ax.set_yscale("log")
    ax.set_xlabel("film thickness h (nm)")
    ax.set_ylabel("dendrite length / h  (axis opening / h)")
    ax.set_title("Fig. 4b: CZM, (1ALD-1MLD) alloy")
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = OUT / "czm_sweep.png"
    fig.savefig(path, dpi=120)
    print(f"plot: {path}")


if __name__ == "__main__":
    main()
