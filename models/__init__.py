"""Physics: recipes, films, electrochemistry and the mechanics models. No learning, no I/O."""

from .electrochem import METALS, Metal, dendrite_pressure_mpa, metal
from .errors import FilmParameterError, InterlayerError, RecipeError, SimulationInputError, UnknownMetalError
from .film import Film, FilmConstants
from .recipe import AL2O3_ALUCONE, CHEMISTRIES, Chemistry, Recipe

__all__ = [
    "AL2O3_ALUCONE", "CHEMISTRIES", "Chemistry", "Film", "FilmConstants", "FilmParameterError",
    "InterlayerError", "METALS", "Metal", "Recipe", "RecipeError", "SimulationInputError",
    "UnknownMetalError", "dendrite_pressure_mpa", "metal",
]
