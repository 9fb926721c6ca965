"""Which simulation models the service runs, and their cache keys.

The physics models come from ``interlayer.models.simulation``. ``INTERLAYER_EXTRA_MODELS`` may add
models by import path (``name=module:function``) for benchmarks and tests only, such as the trivial
model of ``bench/service_load.py``: production deployments leave it unset. An extra model is called
like ``run_simulation`` without the model name and may carry a ``MODEL_VERSION`` attribute.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import import_module
from typing import Any

from interlayer.models.errors import SimulationInputError
from interlayer.models.simulation import MODELS, input_hash, model_version, run_simulation, simulation_key


@dataclass(frozen=True)
class Simulator:
    name: str
    version: str
    run: Callable[..., dict[str, Any]]
    key: Callable[[str, str, Mapping[str, Any]], str]


@lru_cache(maxsize=4)
def _extra_models(spec: str) -> dict[str, Callable[..., dict[str, Any]]]:
    models = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, target = item.partition("=")
        module_name, _, attribute = target.partition(":")
        models[name] = getattr(import_module(module_name), attribute)
    return models


def model_names(extra_models: str) -> tuple[str, ...]:
    return MODELS + tuple(_extra_models(extra_models))


def simulator(model: str, extra_models: str = "") -> Simulator:
    extras = _extra_models(extra_models)
    if model in extras:
        run = extras[model]
        version = str(getattr(run, "MODEL_VERSION", "0"))
        return Simulator(model, version, run,
                         lambda metal, recipe, parameters: input_hash(model, version, metal, recipe, parameters))
    if model not in MODELS:
        raise SimulationInputError(f"unknown model {model!r}; known models: {', '.join(model_names(extra_models))}")
    return Simulator(
        model, model_version(model),
        lambda metal, recipe, parameters, **hooks: run_simulation(model, metal, recipe, parameters, **hooks),
        lambda metal, recipe, parameters: simulation_key(model, metal, recipe, parameters),
    )
