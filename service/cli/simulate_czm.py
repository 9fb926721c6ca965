"""``interlayer simulate czm``: film delamination over a dendrite nucleus, or the clamped-blister check."""

from __future__ import annotations

import typer

from interlayer.models.errors import SimulationInputError


def czm_command(
    metal: str | None = typer.Option(None, "--metal", help="Li or Na: sets the dendrite pressure (100 / 59 MPa)."),
    recipe: str | None = typer.Option(None, "--recipe", help="Film from a recipe, e.g. '(1ALD-1MLD)10'."),
    thickness_nm: float | None = typer.Option(None, "--thickness-nm", help="Film thickness (a (1ALD-1MLD) alloy unless overridden)."),
    modulus_gpa: float | None = typer.Option(None, "--modulus-gpa", help="Override the film's Young's modulus."),
    poisson_ratio: float | None = typer.Option(None, "--poisson-ratio", help="Override the film's Poisson ratio."),
    strength_mpa: float | None = typer.Option(None, "--strength-mpa", help="Override the cohesive strength σmax."),
    fracture_energy_j_m2: float | None = typer.Option(None, "--fracture-energy-j-m2", help="Override the toughness Gc."),
    pressure_mpa: float | None = typer.Option(None, "--pressure-mpa", help="Pressure (default: the metal's dendrite pressure)."),
    initial_debond_radius_nm: float | None = typer.Option(None, "--initial-debond-radius-nm", help="Radius of the nucleus (default 20 nm)."),
    fidelity: str = typer.Option("reduced", "--fidelity", help="reduced (axisymmetric, ms) or fem (2D finite elements, s)."),
    validate: str | None = typer.Option(None, "--validate", help="'blister': run the clamped-blister check with explicit E, ν, h, Gc, σmax, p."),
    youngs_modulus_gpa: float | None = typer.Option(None, "--youngs-modulus-gpa", help="Blister check: E."),
    linear: bool = typer.Option(False, "--linear", help="Drop the von Kármán strains (linear plate)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    remote: str | None = typer.Option(None, "--remote", metavar="URL",
                                      help="Queue the run on the service at URL (results cached there) instead of here."),
    api_key: str | None = typer.Option(None, "--api-key", envvar="INTERLAYER_API_KEY", show_envvar=False,
                                       help="API key for --remote (env INTERLAYER_API_KEY)."),
) -> None:
    """Opening of a film over a dendrite nucleus at mechanical equilibrium (paper Fig. 4b), or the blister check."""
    from interlayer.models.czm import simulate_czm
    from interlayer.models.film import Film
    from interlayer.models.recipe import Recipe

    from .output import emit, summary

    numerics = {"geometric_nonlinearity": not linear}
    if validate is not None:
        given = {"--youngs-modulus-gpa": youngs_modulus_gpa, "--poisson-ratio": poisson_ratio, "--thickness-nm": thickness_nm,
                 "--fracture-energy-j-m2": fracture_energy_j_m2, "--strength-mpa": strength_mpa, "--pressure-mpa": pressure_mpa}
        _validate(validate, given, fidelity, numerics, as_json)
        return
    if metal is None:
        raise SimulationInputError("--metal is required (Li or Na)")
    if (recipe is None) == (thickness_nm is None):
        raise SimulationInputError("give exactly one of --recipe or --thickness-nm")
    overrides = {"modulus_gpa": modulus_gpa, "poisson_ratio": poisson_ratio, "strength_mpa": strength_mpa,
                 "fracture_energy_j_m2": fracture_energy_j_m2}
    if modulus_gpa is not None:
        overrides |= {"modulus_in_plane_gpa": modulus_gpa, "modulus_through_thickness_gpa": modulus_gpa}
    if remote is not None:
        from .remote import simulate_remote
        if recipe is None:
            raise SimulationInputError("--remote runs a recipe: give --recipe instead of --thickness-nm")
        # Only what was given: equal requests share one cached result on the service (the surrogate asks
        # for {"fidelity": ...} alone).
        options = {"pressure_mpa": pressure_mpa, "initial_debond_radius_nm": initial_debond_radius_nm,
                   "geometric_nonlinearity": False if linear else None}
        parameters = {"fidelity": fidelity} | {k: v for k, v in (overrides | options).items() if v is not None}
        remote_result = simulate_remote(remote, "czm", metal, recipe, parameters, api_key, show_progress=not as_json)
        emit(f"{metal} CZM ({fidelity})", summary(remote_result["result"], as_json), as_json)
        return
    if recipe is not None:
        film = Film.from_recipe(Recipe.parse(recipe, metal=metal), **overrides)
    else:
        film = Film.from_thickness(thickness_nm, **overrides)
    options = {} if initial_debond_radius_nm is None else {"initial_debond_radius_nm": initial_debond_radius_nm}
    result = simulate_czm(metal, film, fidelity=fidelity, pressure_mpa=pressure_mpa, **options, **numerics)
    emit(f"{metal} CZM ({fidelity})", summary(result.as_dict(), as_json), as_json)


def _validate(validation: str, given: dict[str, float | None], fidelity: str, numerics: dict, as_json: bool) -> None:
    """``--validate blister``: the clamped-blister check with every input explicit; exit 1 unless it converged."""
    from interlayer.models.czm import simulate_blister

    from .output import emit

    if validation != "blister":
        raise SimulationInputError(f"unknown validation {validation!r}; the one available is 'blister'")
    missing = [name for name, value in given.items() if value is None]
    if missing:
        raise SimulationInputError(f"--validate blister needs {', '.join(missing)}")
    result = simulate_blister(youngs_modulus_gpa=given["--youngs-modulus-gpa"], poisson_ratio=given["--poisson-ratio"],
                              thickness_nm=given["--thickness-nm"], fracture_energy_j_m2=given["--fracture-energy-j-m2"],
                              strength_mpa=given["--strength-mpa"], pressure_mpa=given["--pressure-mpa"], fidelity=fidelity,
                              **numerics)
    emit(f"clamped blister ({fidelity})", result.as_dict(), as_json)
    if not result.converged:
        raise typer.Exit(1)
