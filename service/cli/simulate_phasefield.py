"""``interlayer simulate phasefield``: dendrite growth under a film (paper Fig. 4c–f)."""

from __future__ import annotations

from pathlib import Path

import typer

from interlayer.models.errors import SimulationInputError
from interlayer.models.film import Film
from interlayer.models.phasefield import PhaseFieldResult, simulate_phasefield
from interlayer.models.recipe import Recipe

from .simulate import simulate_app


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


@simulate_app.command("phasefield")
def phasefield_command(
    metal: str = typer.Option("Li", "--metal", help="Li or Na."),
    recipe: str = typer.Option(..., "--recipe", help="Film recipe, e.g. '(1ALD-1MLD)25', or 'bare'."),
    overpotential_v: float = typer.Option(-0.1, "--overpotential-v", help="Applied overpotential (V), negative plates."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    out: Path | None = typer.Option(None, "--out", help="Folder for field and stress maps (PNG)."),
    remote: str | None = typer.Option(None, "--remote", metavar="URL",
                                      help="Queue the run on the service at URL (results cached there) instead of here."),
    api_key: str | None = typer.Option(None, "--api-key", envvar="INTERLAYER_API_KEY", show_envvar=False,
                                       help="API key for --remote (env INTERLAYER_API_KEY)."),
) -> None:
    """Plate the metal under the recipe's film from a surface with one 4 nm bump."""
    from rich.progress import Progress

    from .output import emit

    parsed = Recipe.parse(recipe, metal=metal)
    if remote is not None:
        from .remote import simulate_remote

        if out is not None:
            raise SimulationInputError("--out needs the full fields, which stay on the service; drop --out or --remote")
        remote_result = simulate_remote(remote, "phasefield", parsed.metal, str(parsed), {"overpotential_v": overpotential_v},
                                        api_key, show_progress=not as_json)
        emit(f"phase field {parsed}", _shown(remote_result["result"], as_json), as_json)
        return
    film = None if parsed.is_bare else Film.from_recipe(parsed)
    with Progress(transient=True, disable=as_json) as bar:
        task = bar.add_task(f"phase field {parsed}", total=1.0)
        result = simulate_phasefield(parsed.metal, film, overpotential_v=overpotential_v,
                                     progress=lambda done: bar.update(task, completed=done))
    values = result.summary()
    if out is not None:
        values["plots"] = [str(p) for p in write_phasefield_plots(result, out, str(parsed))]
    emit(f"phase field {parsed}", _shown(values, as_json), as_json)


def _shown(values: dict, as_json: bool) -> dict:
    """The summary as printed: the table leaves out the sampled series (JSON keeps them)."""
    return values if as_json else {k: v for k, v in values.items() if not isinstance(v, list) or k == "plots"}
