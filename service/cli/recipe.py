"""``interlayer recipe``: geometry and film properties of a recipe."""

from __future__ import annotations

import typer

from interlayer.models.film import Film
from interlayer.models.recipe import Recipe


def recipe_command(
    recipe: str = typer.Argument(..., help="Recipe in the paper's notation, e.g. 'Li@(2ALD-2MLD)25'."),
    metal: str | None = typer.Option(None, "--metal", help="Metal, when the recipe omits it: Li, Na, K."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Print a recipe's thickness, unit period, inorganic fraction, structure and film mechanics."""
    from .output import emit

    parsed = Recipe.parse(recipe, metal=metal)
    values = parsed.geometry()
    if not parsed.is_bare:
        film = Film.from_recipe(parsed).as_dict()
        film.pop("thickness_nm")
        film.pop("structure")
        values.update(film)
    emit(str(parsed), values, as_json)
