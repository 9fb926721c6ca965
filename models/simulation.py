"""One entry point for every physics model: run by name, version and cache key (``physics_model``).

The service queues simulations by ``(model, metal, recipe, parameters)`` and caches results under
``simulation_key``; the surrogate asks for the same tuples. Both go through ``run_simulation`` so a
cached result and a fresh one are the same JSON.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from importlib import import_module
from typing import Any

from .errors import SimulationInputError
from .film import Film
from .parameters import check_parameters
from .phasefield_presets import NON_PHYSICAL, PAPER_FIGURES, PHYSICAL, preset
from .recipe import Recipe

Progress = Callable[[float], None] | None
ShouldCancel = Callable[[], bool] | None


def _run_czm(module, metal: str, film: Film | None, options: dict, progress: Progress,
             should_cancel: ShouldCancel) -> dict[str, Any]:
    if film is None:
        raise SimulationInputError("the cohesive-zone model needs a coated recipe, got a bare metal")
    return module.simulate_czm(metal, film, **options).as_dict()


def _run_phasefield(module, metal: str, film: Film | None, options: dict, progress: Progress,
                    should_cancel: ShouldCancel) -> dict[str, Any]:
    name = options.pop("preset", PHYSICAL)
    summary = module.simulate_phasefield(metal, film, progress=progress, should_cancel=should_cancel,
                                         config=preset(name), **options).summary()
    return summary | {"preset": name, "physical": name not in NON_PHYSICAL, "paper_figures": PAPER_FIGURES[name]}


@dataclass(frozen=True)
class _Model:
    """A physics model: the module holding MODEL_VERSION and its solver, and how to call it for a summary."""

    module: str
    summarize: Callable[..., dict[str, Any]]


_MODELS = {"czm": _Model("interlayer.models.czm", _run_czm),
           "phasefield": _Model("interlayer.models.phasefield", _run_phasefield)}
MODELS = tuple(_MODELS)


def _model(model: str) -> _Model:
    try:
        return _MODELS[model]
    except KeyError:
        raise SimulationInputError(f"unknown model {model!r}; known models: {', '.join(MODELS)}") from None


def model_version(model: str) -> str:
    return import_module(_model(model).module).MODEL_VERSION


def input_hash(model: str, version: str, metal: str, recipe: str, parameters: Mapping[str, Any] | None = None) -> str:
    """Content hash of a simulation's inputs and its model version: equal inputs share one result."""
    canonical = json.dumps(
        {"model": model, "version": version, "metal": metal, "recipe": recipe, "parameters": dict(parameters or {})},
        sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class PhysicsModel:
    """One physics model as a run is asked of it: its name, version, runner and the cache key of a run.

    ``run(metal, recipe, parameters, progress=..., should_cancel=...)`` returns the JSON of ``run_simulation``;
    ``key`` is the ``input_hash`` of the inputs under this version: equal keys, equal results.
    """

    name: str
    version: str
    run: Callable[..., dict[str, Any]]

    def key(self, metal: str, recipe: str, parameters: Mapping[str, Any] | None = None) -> str:
        return input_hash(self.name, self.version, metal, recipe, parameters)


def physics_model(name: str, extra: Mapping[str, Callable[..., dict[str, Any]]] | None = None) -> PhysicsModel:
    """The model called ``name``: one of ``MODELS``, or of ``extra`` (name -> a runner called like
    ``run_simulation`` without the model name, with an optional ``MODEL_VERSION`` attribute)."""
    extra = extra or {}
    if name in extra:
        run = extra[name]
        return PhysicsModel(name, str(getattr(run, "MODEL_VERSION", "0")), run)
    if name not in _MODELS:
        raise SimulationInputError(f"unknown model {name!r}; known models: {', '.join(MODELS + tuple(extra))}")
    return PhysicsModel(name, model_version(name), partial(run_simulation, name))


def run_simulation(model: str, metal: str, recipe: str, parameters: Mapping[str, Any] | None = None, *,
                   progress: Progress = None, should_cancel: ShouldCancel = None) -> dict[str, Any]:
    """Run ``model`` on ``recipe`` (paper notation, metal taken from ``metal`` if absent) and return JSON-safe results.

    ``parameters`` may hold film overrides (``modulus_gpa``, ...) and the model's own options
    (``fidelity`` for czm, ``overpotential_v`` for phasefield).
    """
    entry = _model(model)
    check_parameters(model, parameters or {})
    module = import_module(entry.module)
    parsed = Recipe.parse(recipe, metal=metal)
    options = dict(parameters or {})
    film_overrides = {k: options.pop(k) for k in list(options) if k in Film.__dataclass_fields__}
    film = None if parsed.is_bare else Film.from_recipe(parsed, **film_overrides)
    summary = entry.summarize(module, parsed.metal, film, options, progress, should_cancel)
    return {"model": model, "model_version": module.MODEL_VERSION, "metal": parsed.metal,
            "recipe": str(parsed), "parameters": dict(parameters or {}), "result": summary}
