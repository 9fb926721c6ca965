"""``interlayer recipe``: geometry and film properties of a recipe."""

from __future__ import annotations

import typer

from interlayer.models.errors import RecipeError
from interlayer.models.film import Film
from interlayer.models.recipe import Recipe

from ..schemas import MAX_SUPERCYCLES, MAX_UNIT_CYCLES


def recipe_command(
    recipe: str = typer.Argument(..., help="Recipe in the paper's notation, e.g. 'Li@(2ALD-2MLD)25'."),
    metal: str | None = typer.Option(None, "--metal", help="Metal, when the recipe omits it: Li, Na, K."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Print a recipe's thickness, unit period, inorganic fraction, structure and film mechanics."""
    from .output import emit

    parsed = Recipe.parse(recipe, metal=metal)
    _within_every_space(parsed)
    values = parsed.geometry()
    if not parsed.is_bare:
        film = Film.from_recipe(parsed).as_dict()
        film.pop("thickness_nm")
        film.pop("structure")
        values.update(film)
    emit(str(parsed), values, as_json)


def _within_every_space(recipe: Recipe) -> None:
    """Refuse a recipe that no campaign's design space could hold (the service's widest: 100 cycles per unit part,
    1000 supercycles), naming the limit, rather than print the mechanics of a film nobody can propose."""
    for what, value, limit in (("ALD cycles per unit", recipe.ald_cycles, MAX_UNIT_CYCLES),
                               ("MLD cycles per unit", recipe.mld_cycles, MAX_UNIT_CYCLES),
                               ("supercycles", recipe.supercycles, MAX_SUPERCYCLES)):
        if value > limit:
            raise RecipeError(f"{recipe}: {value} {what} exceeds the {limit} any design space allows "
                              f"({recipe.thickness_nm:.4g} nm of film)")
