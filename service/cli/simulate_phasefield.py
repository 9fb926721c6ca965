"""``interlayer simulate phasefield``: dendrite growth under a film (paper Fig. 4c–f)."""

from __future__ import annotations

from pathlib import Path

import typer

from interlayer.models.errors import SimulationInputError
from interlayer.models.film import Film
from interlayer.models.phasefield import simulate_phasefield
from interlayer.models.phasefield_plots import write_phasefield_plots
from interlayer.models.phasefield_presets import NON_PHYSICAL, PAPER_FIGURES, PHYSICAL, PRESETS, preset
from interlayer.models.recipe import Recipe


def phasefield_command(
    metal: str = typer.Option("Li", "--metal", help="Li or Na."),
    recipe: str = typer.Option(..., "--recipe", help="Film recipe, e.g. '(1ALD-1MLD)25', or 'bare'."),
    overpotential_v: float = typer.Option(-0.1, "--overpotential-v", help="Applied overpotential (V), negative plates."),
    preset_name: str = typer.Option(PHYSICAL, "--preset",
                                    help=f"Parameter set: {', '.join(PRESETS)} (the second is NON-PHYSICAL, "
                                         "µm-normalized parameters read in nm, kept to compare with paper Fig. 4e)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    out: Path | None = typer.Option(None, "--out", help="Folder for field and stress maps (PNG)."),
    remote: str | None = typer.Option(None, "--remote", metavar="URL",
                                      help="Queue the run on the service at URL (results cached there) instead of here."),
    api_key: str | None = typer.Option(None, "--api-key", envvar="INTERLAYER_API_KEY", show_envvar=False,
                                       help="API key for --remote (env INTERLAYER_API_KEY)."),
) -> None:
    """Plate the metal under the recipe's film from a surface with one 4 nm bump."""
    from rich.progress import Progress

    from .output import emit, summary

    parsed = Recipe.parse(recipe, metal=metal)
    if remote is not None:
        from .remote import simulate_remote

        if out is not None:
            raise SimulationInputError("--out needs the full fields, which stay on the service; drop --out or --remote")
        remote_result = simulate_remote(remote, "phasefield", parsed.metal, str(parsed),
                                        {"overpotential_v": overpotential_v, "preset": preset_name},
                                        api_key, show_progress=not as_json)
        emit(f"phase field {parsed}", summary(remote_result["result"], as_json), as_json)
        return
    film = None if parsed.is_bare else Film.from_recipe(parsed)
    with Progress(transient=True, disable=as_json) as bar:
        task = bar.add_task(f"phase field {parsed}", total=1.0)
        result = simulate_phasefield(parsed.metal, film, overpotential_v=overpotential_v, config=preset(preset_name),
                                     progress=lambda done: bar.update(task, completed=done))
    values = result.summary() | {"preset": preset_name, "physical": preset_name not in NON_PHYSICAL,
                                 "paper_figures": PAPER_FIGURES[preset_name]}
    if out is not None:
        values["plots"] = [str(p) for p in write_phasefield_plots(result, out, str(parsed))]
    emit(f"phase field {parsed}", summary(values, as_json, keep=("plots",)), as_json)

