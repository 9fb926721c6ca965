"""Pictures of a phase-field run: the field maps, the film's stress map and the surfaces (PNG, matplotlib)."""

from __future__ import annotations

from pathlib import Path

from .phasefield import PhaseFieldResult


def write_phasefield_plots(result: PhaseFieldResult, out_dir: Path, label: str) -> list[Path]:
    """Write the field maps, the film stress map and the surfaces as PNG; return the paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    out_dir.mkdir(parents=True, exist_ok=True)
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in label)
    extent = (result.x_nm[0], result.x_nm[-1], result.y_nm[0], result.y_nm[-1])
    written = []

    fig, axes = plt.subplots(1, 3, figsize=(13, 4), constrained_layout=True)
    for ax, (title, field) in zip(axes, [("order parameter ξ", result.order_parameter),
                                         ("c / c0", result.concentration),
                                         ("φ_l (V)", result.potential_v)]):
        image = ax.imshow(field, origin="lower", extent=extent, aspect="equal")
        ax.set(title=title, xlabel="x (nm)", ylabel="y (nm)")
        fig.colorbar(image, ax=ax, shrink=0.8)
    path = out_dir / f"{stem}_fields.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    written.append(path)

    fig, axes = plt.subplots(1, 2, figsize=(12, 4), constrained_layout=True)
    if result.film_stress_mpa:
        # film rows sit at their height above the deformed interface
        xx, dz = np.meshgrid(result.x_nm, result.film_depth_nm)
        yy = result.final_surface_nm[None, :] + dz
        mesh = axes[0].pcolormesh(xx, yy, result.film_stress_mpa["szz"], cmap="coolwarm", shading="gouraud")
        fig.colorbar(mesh, ax=axes[0], label="σ_zz (MPa), tension +")
        axes[0].set(title=f"film stress, {label}", xlabel="x (nm)", ylabel="y (nm)", aspect="equal")
    else:
        axes[0].text(0.5, 0.5, "no film", ha="center", va="center", transform=axes[0].transAxes)
    axes[1].plot(result.x_nm, result.initial_surface_nm, "k", label="initial")
    axes[1].plot(result.x_nm, result.final_surface_nm, label=f"final, A/A0 = {result.amplitude_ratio:.3f}")
    twin = axes[1].twinx()
    twin.plot(result.x_nm, result.interfacial_stress_mpa, "r--", lw=1)
    twin.set_ylabel("interfacial σ_n (MPa)", color="r")
    axes[1].set(title="surface and interfacial stress", xlabel="x (nm)", ylabel="height (nm)")
    axes[1].legend(loc="upper left")
    path = out_dir / f"{stem}_stress.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    written.append(path)
    return written
