"""Paper Fig. 4c–f: plating Li and Na bare and under (1ALD-1MLD)10, 25, 50 films, in physical units.

    python -m bench.phasefield_fig4                     # everything, FiPy baseline to the full end state
    python -m bench.phasefield_fig4 --no-fipy --no-sensitivity
    python -m bench.phasefield_fig4 --fipy-end-time 0.1  # FiPy to a shorter common end time

Prints the parameters with their provenance, amplitude ratio A/A0 and interfacial stress (peak,
where it acts: tip or foot, distance from the tip) per film and metal, the paper's trends, a few
regimes (longer plating, larger perturbation, higher overpotential, the interface mobility assumed
before issue 24), a sensitivity table (film relaxation τ, electrolyte diffusivity, exchange current
density, interface mobility at ½× and 2×) for the amplitude ratios, and one
run's time (target ≤ 10 s), memory (≤ 500 MB) and speed-up over FiPy on the same grid (≥ 20×).
Plots go to bench/out/phasefield/.
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
from interlayer.models.phasefield import PARAMETER_SOURCES, PhaseFieldConfig, simulate_phasefield  # noqa: E402
from interlayer.models.phasefield_plots import write_phasefield_plots  # noqa: E402
from interlayer.models.recipe import Recipe  # noqa: E402

from .phasefield_fipy import fipy_available, run_fipy  # noqa: E402

OUT = Path(__file__).parent / "out" / "phasefield"
RECIPES = ["(1ALD-1MLD)10", "(1ALD-1MLD)25", "(1ALD-1MLD)50"]
OVERPOTENTIAL_V = -0.1


def figure_four(metal: str, config: PhaseFieldConfig | None = None, quiet: bool = False) -> dict[str, object]:
    """Run the bare control and the three films; print a table; write the plots."""
    config = config or PhaseFieldConfig()
    results = {"bare": simulate_phasefield(metal, None, overpotential_v=OVERPOTENTIAL_V, config=config)}
    for text in RECIPES:
        film = Film.from_recipe(Recipe.parse(text, metal=metal))
        results[text] = simulate_phasefield(metal, film, overpotential_v=OVERPOTENTIAL_V, config=config)
    if quiet:
        return results
    print(f"\n{metal}: σ_dendrite = {dendrite_pressure_mpa(metal):.0f} MPa (paper Eq. 1), η = {OVERPOTENTIAL_V} V")
    print(f"  {'film':15s} {'h nm':>5s} {'E GPa':>6s} {'A/A0':>7s} {'σ_n min MPa':>11s} {'at nm':>6s} {'t s':>6s} "
          f"{'σ_n max':>8s} {'at nm':>6s} {'tip end':>8s} {'min end':>8s} {'at nm':>6s} {'wall s':>7s}")
    for label, r in results.items():
        h = f"{r.film_thickness_nm:.1f}" if r.film_thickness_nm else "-"
        e = f"{r.film_modulus_gpa:.1f}" if r.film_modulus_gpa else "-"
        w = r.stress_locations
        print(f"  {label:15s} {h:>5s} {e:>6s} {r.amplitude_ratio:7.3f} {r.peak_compressive_stress_mpa:11.1f} "
              f"{w.get('peak_compression_from_tip_nm', 0):6.2f} {w.get('peak_compression_time_s', 0):6.3f} "
              f"{r.peak_tensile_stress_mpa:8.1f} {w.get('peak_tension_from_tip_nm', 0):6.2f} "
              f"{w.get('final_tip_stress_mpa', 0):8.1f} {w.get('final_min_stress_mpa', 0):8.1f} "
              f"{w.get('final_min_from_tip_nm', 0):6.2f} {r.wall_s:7.2f}")
        write_phasefield_plots(r, OUT, f"{metal}_{label}")
    print("  (distances from the tip A along x; the bump's foot is at its radius, 4 nm)")
    thin, mid, thick = (results[t] for t in RECIPES)
    bump_ok = thin.amplitude_ratio - 1.0 > 1.5 * max(mid.amplitude_ratio - 1.0, thick.amplitude_ratio - 1.0)
    stress = [abs(r.peak_compressive_stress_mpa) for r in (thin, mid, thick)]
    similar = abs(stress[1] - stress[2]) / stress[2]
    stress_ok = similar < 0.15 and stress[0] < min(stress[1], stress[2])
    bare = results["bare"].amplitude_ratio
    print(f"  (1-1)10 leaves a clearly larger bump (growth A/A0−1 ≥ 1.5× that of 25 and 50): {'yes' if bump_ok else 'NO'}")
    print(f"  25 and 50 similar peak compression ({100 * similar:.0f} % apart, < 15 %) and 10 less: "
          f"{'yes' if stress_ok else 'NO'}")
    print(f"  films smooth the bump relative to bare (paper's mechanism): "
          f"{'yes' if max(mid.amplitude_ratio, thick.amplitude_ratio) < bare else 'NO'} (bare A/A0 {bare:.3f})")
    return results


def provenance(config: PhaseFieldConfig) -> None:
    """Every parameter in SI with where it comes from."""
    print("\nParameters (SI) and provenance; nondimensionalization: ℓ = length_scale_m, t = time_scale_s, "
          "energy density RT c0, potential RT/F, stress RT/Ω")
    for metal in ("Li", "Na"):
        si = config.si_parameters(metal)
        print(f"  {metal}: " + ", ".join(f"{k} {v:.4g}" for k, v in si.items() if k in (
            "site_density_mol_m3", "reaction_rate_1_s")))
    for key, value in config.si_parameters("Li").items():
        print(f"  {key:32s} {value:<12.4g} {PARAMETER_SOURCES.get(key, 'geometry / derived / numerics')}")


# Regimes in which a contrast could appear: (label, config overrides, overpotential).
REGIMES = [
    ("default (4 nm plated)", {}, OVERPOTENTIAL_V),
    ("longer plating (12 nm)", {"plated_thickness_nm": 12.0, "height_nm": 40.0}, OVERPOTENTIAL_V),
    ("larger perturbation (R 8 nm)", {"perturbation_radius_nm": 8.0, "width_nm": 48.0, "height_nm": 40.0},
     OVERPOTENTIAL_V),
    ("higher overpotential (−0.3 V)", {}, -0.3),
    ("depleted reservoir (c 0.05 c0)", {"bulk_concentration_mol_m3": 50.0}, OVERPOTENTIAL_V),
    ("L_σ assumed before issue 24 (1.7e-9)", {"interface_mobility_m3_j_s": 1.7e-9}, OVERPOTENTIAL_V),
]


def regimes() -> None:
    """Li bare, (1-1)10 and (1-1)50 in each regime: does (1-1)10 leave the bump and 50 smooth it?"""
    print("\nRegimes (Li; A/A0 bare / (1-1)10 / (1-1)50; contrast = paper's: 10 grows, 50 below bare and below 10):")
    for label, overrides, eta in REGIMES:
        config = replace(PhaseFieldConfig(), **overrides)
        ratios = []
        for text in (None, "(1ALD-1MLD)10", "(1ALD-1MLD)50"):
            film = Film.from_recipe(Recipe.parse(text, metal="Li")) if text else None
            ratios.append(simulate_phasefield("Li", film, overpotential_v=eta, config=config).amplitude_ratio)
        contrast = ratios[1] > 1.0 and ratios[2] < min(ratios[0], ratios[1])
        print(f"  {label:32s} {ratios[0]:7.3f} {ratios[1]:7.3f} {ratios[2]:7.3f}   {'yes' if contrast else 'no'}")


SENSITIVITY = [("film_relaxation_time_s", "τ"), ("electrolyte_diffusivity_m2_s", "D_l"),
               ("exchange_current_density_a_m2", "i0"), ("interface_mobility_m3_j_s", "L_σ")]


def sensitivity() -> None:
    """A/A0 (Li and Na, bare and three films) at ½× and 2× of four parameters (L_σ: of its Gibbs–Thomson value)."""
    print("\nSensitivity (A/A0 bare, (1-1)10, 25, 50):")
    print(f"  {'case':22s} {'Li bare':>7s} {'10':>6s} {'25':>6s} {'50':>6s} {'Na bare':>7s} {'10':>6s} {'25':>6s} {'50':>6s}")
    cases = [("defaults", None, 1.0)] + [(f"{symbol} {factor:g}×", name, factor)
                                         for name, symbol in SENSITIVITY for factor in (0.5, 2.0)]
    for label, name, factor in cases:
        row = []
        for metal in ("Li", "Na"):
            config = PhaseFieldConfig().resolved(metal, OVERPOTENTIAL_V)
            if name is not None:
                config = replace(config, **{name: getattr(config, name) * factor})
            results = figure_four(metal, config, quiet=True)
            row += [results[k].amplitude_ratio for k in ("bare", *RECIPES)]
        print(f"  {label:22s} " + " ".join(f"{v:6.3f}" for v in row), flush=True)


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
          f"{ours.cell_updates / ours.wall_s:.3g} cell updates/s   (target ≤ 10 s)  "
          f"{'PASS' if ours.wall_s <= 10.0 else 'FAIL'}")

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
    print(f"    speed-up {ratio:.1f}× (target ≥ 20×) {'PASS' if ratio >= 20 else 'FAIL'}; amplitudes differ by "
          f"{100 * gap:.2f} % (target ≤ 2 %) {'PASS' if gap <= 0.02 else 'FAIL'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fipy-end-time", type=float, default=None, help="run FiPy only to this time (s)")
    parser.add_argument("--no-fipy", action="store_true", help="skip the FiPy baseline")
    parser.add_argument("--no-sensitivity", action="store_true", help="skip the regimes and the sensitivity table")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    provenance(PhaseFieldConfig())
    all_results = {metal: figure_four(metal) for metal in ("Li", "Na")}
    li, na = all_results["Li"], all_results["Na"]
    print("\nLi beside Na (same η; Na at 59 MPa-equivalent: Ω_Na/Ω_Li = 100/59):")
    for text in ["bare", *RECIPES]:
        ratio = (f"   (Na/Li {na[text].peak_compressive_stress_mpa / li[text].peak_compressive_stress_mpa:.2f})"
                 if text != "bare" else "")
        print(f"  {text:15s} A/A0 Li {li[text].amplitude_ratio:.3f}  Na {na[text].amplitude_ratio:.3f}   "
              f"peak compression Li {li[text].peak_compressive_stress_mpa:7.1f}  Na {na[text].peak_compressive_stress_mpa:7.1f} MPa"
              + ratio)
    print(f"  plots: {plot_panels(all_results)} and per-run maps in {OUT}")
    if not args.no_sensitivity:
        regimes()
        sensitivity()
    speed_and_memory(args.fipy_end_time, not args.no_fipy)
    print(f"\nbench wall time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
