"""One entry point for every physics model: run by name, version and cache key.

The service queues simulations by ``(model, metal, recipe, parameters)`` and caches results under
``simulation_key``; the surrogate asks for the same tuples. Both go through ``run_simulation`` so a
cached result and a fresh one are the same JSON.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

from .errors import SimulationInputError
from .film import Film
from .recipe import Recipe

# model name -> module that holds MODEL_VERSION and the solver
_MODEL_MODULES = {"czm": "interlayer.models.czm", "phasefield": "interlayer.models.phasefield"}
MODELS = tuple(_MODEL_MODULES)


def _module(model: str):
    try:
        return import_module(_MODEL_MODULES[model])
    except KeyError:
        raise SimulationInputError(f"unknown model {model!r}; known models: {', '.join(MODELS)}") from None


def model_version(model: str) -> str:
    return _module(model).MODEL_VERSION


def input_hash(model: str, version: str, metal: str, recipe: str, parameters: Mapping[str, Any] | None = None) -> str:
    """Content hash of a simulation's inputs and its model version: equal inputs share one result."""
    canonical = json.dumps(
        {"model": model, "version": version, "metal": metal, "recipe": recipe, "parameters": dict(parameters or {})},
        sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def simulation_key(model: str, metal: str, recipe: str, parameters: Mapping[str, Any] | None = None) -> str:
    """``input_hash`` under the installed version of ``model``."""
    return input_hash(model, model_version(model), metal, recipe, parameters)


def run_simulation(model: str, metal: str, recipe: str, parameters: Mapping[str, Any] | None = None, *,
                   progress: Callable[[float], None] | None = None,
                   should_cancel: Callable[[], bool] | None = None) -> dict[str, Any]:
    """Run ``model`` on ``recipe`` (paper notation, metal taken from ``metal`` if absent) and return JSON-safe results.

    ``parameters`` may hold film overrides (``modulus_gpa``, ...) and the model's own options
    (``fidelity`` for czm, ``overpotential_v`` for phasefield).
    """
    module = _module(model)
    parsed = Recipe.parse(recipe, metal=metal)
    options = dict(parameters or {})
    film_overrides = {k: options.pop(k) for k in list(options) if k in Film.__dataclass_fields__}
    film = None if parsed.is_bare else Film.from_recipe(parsed, **film_overrides)
    if model == "czm":
        if film is None:
            raise SimulationInputError("the cohesive-zone model needs a coated recipe, got a bare metal")
        result = module.simulate_czm(parsed.metal, film, **options)
        summary = result.as_dict()
    else:
        result = module.simulate_phasefield(parsed.metal, film, progress=progress, should_cancel=should_cancel, **options)
        summary = result.summary()
    return {"model": model, "model_version": module.MODEL_VERSION, "metal": parsed.metal,
            "recipe": str(parsed), "parameters": dict(parameters or {}), "result": summary}
