"""Which physics models the service runs: ``interlayer.models.simulation``'s, and the extra ones of
``INTERLAYER_EXTRA_MODELS`` (``name=module:function,...``) for benchmarks and tests only, such as the
trivial model of ``bench/service_load.py``: production deployments leave it unset.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from importlib import import_module
from typing import Any

from interlayer.models.simulation import MODELS, PhysicsModel, physics_model


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


def service_model(name: str, extra_models: str = "") -> PhysicsModel:
    """The model called ``name`` among the service's; an unknown name raises SimulationInputError."""
    return physics_model(name, _extra_models(extra_models))
