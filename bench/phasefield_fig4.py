"""Paper Fig. 4c–f: plating Li and Na under (1ALD-1MLD)10, 25, 50 films, plus speed and memory.

    python -m bench.phasefield_fig4                 # everything, FiPy baseline to the full end state
    python -m bench.phasefield_fig4 --fipy-end-time 4   # FiPy to a shorter common end time
    python -m bench.phasefield_fig4 --no-fipy

Prints amplitude ratio and peak interfacial stress per film and metal, checks the paper's trends,
times one run at the default grid (target ≤ 60 s), its peak memory (target ≤ 500 MB) and the
speed-up over a plain FiPy implementation of the same equations (target ≥ 10× at equal amplitude
within 2 %). Plots go to bench/out/phasefield/.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from interlayer.models.electrochem import dendrite_pressure_mpa  # noqa: E402
from interlayer.models.film import Film  # noqa: E402
from interlayer.models.phasefield import PhaseFieldConfig, simulate_phasefield  # noqa: E402
from interlayer.models.phasefield_plots import write_phasefield_plots  # noqa: E402
from interlayer.models.recipe import Recipe  # noqa: E402

from .phasefield_fipy import fipy_available, run_fipy  # noqa: E402

OUT = Path(__file__).parent / "out" / "phasefield"
RECIPES = ["(1ALD-1MLD)10", "(1ALD-1MLD)25", "(1ALD-1MLD)50"]
OVERPOTENTIAL_V = -0.1


def figure_four(metal: str) -> dict[str, object]:
    """Run the bare control and the three films; print a table; write the plots."""
    config = PhaseFieldConfig()
    results = {"bare": simulate_phasefield(metal, None, overpotential_v=OVERPOTENTIAL_V, config=config)}
    for text in RECIPES:
        film = Film.from_recipe(Recipe.parse(text, metal=metal))
        results[text] = simulate_phasefield(metal, film, overpotential_v=OVERPOTENTIAL_V, config=config)
    print(f"\n{metal}: σ_dendrite = {dendrite_pressure_mpa(metal):.0f} MPa (paper Eq. 1), η = {OVERPOTENTIAL_V} V")
    print(f"  {'film':15s} {'h nm':>5s} {'E GPa':>6s} {'A/A0':>7s} {'σ_n max MPa':>12s} {'σ_n min MPa':>12s} {'wall s':>7s}")
    for label, r in results.items():
        h = f"{r.film_thickness_nm:.1f}" if r.film_thickness_nm else "-"
        e = f"{r.film_modulus_gpa:.1f}" if r.film_modulus_gpa else "-"
        print(f"  {label:15s} {h:>5s} {e:>6s} {r.amplitude_ratio:7.3f} {r.peak_tensile_stress_mpa:12.1f} "
              f"{r.peak_compressive_stress_mpa:12.1f} {r.wall_s:7.2f}")
        write_phasefield_plots(r, OUT, f"{metal}_{label}")
    thin, mid, thick = (results[t] for t in RECIPES)
    bump_ok = thin.amplitude_ratio - 1.0 > 1.5 * max(mid.amplitude_ratio - 1.0, thick.amplitude_ratio - 1.0)
    stress = [abs(r.peak_compressive_stress_mpa) for r in (thin, mid, thick)]
    similar = abs(stress[1] - stress[2]) / stress[2]
    stress_ok = similar < 0.15 and stress[0] < min(stress[1], stress[2])
    print(f"  (1-1)10 leaves a clearly larger bump (growth A/A0−1 ≥ 1.5× that of 25 and 50): {'yes' if bump_ok else 'NO'}")
    print(f"  25 and 50 similar peak compression ({100 * similar:.0f} % apart, < 15 %) and 10 less: "
          f"{'yes' if stress_ok else 'NO'}")
    print(f"  control (no film) bump grows: A/A0 = {results['bare'].amplitude_ratio:.3f} "
          f"{'yes' if results['bare'].amplitude_ratio > 1.0 else 'NO'}")
    return results


def plot_panels(all_results: dict[str, dict]) -> Path:
    """Fig. 4e,f for both metals: final surfaces and tip→valley interfacial stress."""
    fig, axes = plt.subplots(2, 2, figsize=(12, 8), constrained_layout=True)
    for row, (metal, results) in enumerate(all_results.items()):
        first = next(iter(results.values()))
        axes[row, 0].plot(first.x_nm, first.initial_surface_nm, "k", label="initial")
        for label, r in results.items():
            axes[row, 0].plot(r.x_nm, r.final_surface_nm, label=f"{label} A/A0={r.amplitude_ratio:.3f}")
            if r.film_thickness_nm:
                axes[row, 1].plot(r.profile_distance_nm, r.profile_stress_mpa, label=label)
        axes[row, 0].set(title=f"{metal}: surfaces (Fig. 4e)", xlabel="x (nm)", ylabel="height (nm)")
        axes[row, 1].set(title=f"{metal}: σ_n from tip A to valley B (Fig. 4f)", xlabel="distance from tip (nm)",
                         ylabel="σ_n (MPa), tension +")
        axes[row, 0].legend(fontsize=8)
        axes[row, 1].legend(fontsize=8)
    path = OUT / "fig4_surfaces_and_stress.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def speed_and_memory(fipy_end_time_s: float | None, with_fipy: bool) -> None:
    config = PhaseFieldConfig()
    film = Film.from_recipe(Recipe.parse("(1ALD-1MLD)25", metal="Li"))
    ny, nx = config.shape
    load = os.getloadavg()[0]
    print(f"\nSpeed: Li (1ALD-1MLD)25 to {config.plated_thickness_nm} nm plated, grid {nx}×{ny} "
          f"(cell {config.cell_nm} nm), load average {load:.1f} on {os.cpu_count()} cores")
    ours = simulate_phasefield("Li", film, overpotential_v=OVERPOTENTIAL_V, config=config)
    print(f"  interlayer: {ours.wall_s:.2f} s wall, {ours.steps} steps, "
          f"{ours.cell_updates / ours.wall_s:.3g} cell updates/s   (target ≤ 60 s)  "
          f"{'PASS' if ours.wall_s <= 60.0 else 'FAIL'}")

    tracemalloc.start()
    simulate_phasefield("Li", film, overpotential_v=OVERPOTENTIAL_V, config=config)
    _, peak_bytes = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"  memory: tracemalloc peak {peak_bytes / 2**20:.1f} MB in one run; process max RSS {rss_mb:.0f} MB "
          f"(target ≤ 500 MB)  {'PASS' if max(peak_bytes / 2**20, rss_mb) <= 500 else 'FAIL'}")

    if not with_fipy:
        return
    if not fipy_available():
        print("  FiPy not installed (pip install '.[bench]'): no baseline")
        return
    if fipy_end_time_s is None:
        base = run_fipy("Li", film, OVERPOTENTIAL_V, config)
        ours_cmp = ours
        what = f"the full end state ({config.plated_thickness_nm} nm plated)"
    else:
        short = replace(config, max_time_s=fipy_end_time_s, plated_thickness_nm=1e3)
        base = run_fipy("Li", film, OVERPOTENTIAL_V, short, end_time_s=fipy_end_time_s)
        ours_cmp = simulate_phasefield("Li", film, overpotential_v=OVERPOTENTIAL_V, config=replace(
            short, height_nm=config.height_nm))
        what = f"a shorter common end time t = {fipy_end_time_s} s (FiPy too slow for the full run here)"
    ratio = base["wall_s"] / ours_cmp.wall_s
    gap = abs(base["amplitude_nm"] / ours_cmp.final_amplitude_nm - 1.0)
    print(f"  FiPy (same grid and equations, LU each step) to {what}:")
    print(f"    FiPy       {base['wall_s']:8.2f} s, {base['steps']} steps, {base['cell_updates'] / base['wall_s']:.3g} "
          f"cell updates/s, amplitude {base['amplitude_nm']:.4f} nm (A/A0 {base['amplitude_ratio']:.4f}), t = {base['time_s']:.2f} s")
    print(f"    interlayer {ours_cmp.wall_s:8.2f} s, {ours_cmp.steps} steps, "
          f"{ours_cmp.cell_updates / ours_cmp.wall_s:.3g} cell updates/s, amplitude {ours_cmp.final_amplitude_nm:.4f} nm "
          f"(A/A0 {ours_cmp.amplitude_ratio:.4f}), t = {ours_cmp.time_s[-1]:.2f} s")
    print(f"    speed-up {ratio:.1f}× (target ≥ 10×) {'PASS' if ratio >= 10 else 'FAIL'}; amplitudes differ by "
          f"{100 * gap:.2f} % (target ≤ 2 %) {'PASS' if gap <= 0.02 else 'FAIL'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fipy-end-time", type=float, default=None, help="run FiPy only to this time (s)")
    parser.add_argument("--no-fipy", action="store_true", help="skip the FiPy baseline")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    all_results = {metal: figure_four(metal) for metal in ("Li", "Na")}
    li, na = all_results["Li"], all_results["Na"]
    print("\nLi beside Na (same η; Na at 59 MPa-equivalent: Ω_Na/Ω_Li = 100/59):")
    for text in RECIPES:
        print(f"  {text:15s} A/A0 Li {li[text].amplitude_ratio:.3f}  Na {na[text].amplitude_ratio:.3f}   "
              f"peak compression Li {li[text].peak_compressive_stress_mpa:7.1f}  Na {na[text].peak_compressive_stress_mpa:7.1f} MPa"
              f"   (Na/Li {na[text].peak_compressive_stress_mpa / li[text].peak_compressive_stress_mpa:.2f})")
    print(f"  plots: {plot_panels(all_results)} and per-run maps in {OUT}")
    speed_and_memory(args.fipy_end_time, not args.no_fipy)
    print(f"\nbench wall time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
