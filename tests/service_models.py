"""A test-only simulation model for the service tests: runs for ``seconds``, reports progress, honours cancel.

Registered with INTERLAYER_EXTRA_MODELS="slow=service_models:slow_simulation" in the test workers
only. The physics models are too slow to kill a worker reliably in the middle of one within a test.
"""

from __future__ import annotations

import time

MODEL_VERSION = "test-1"


class Cancelled(RuntimeError):
    pass


def slow_simulation(metal, recipe, parameters, progress=None, should_cancel=None):
    seconds = float(parameters.get("seconds", 0.0))
    steps = max(1, int(seconds / 0.05))
    for step in range(steps):
        if should_cancel is not None and should_cancel():
            raise Cancelled("cancelled")
        time.sleep(seconds / steps)
        if progress is not None:
            progress((step + 1) / steps)
    return {"model": "slow", "model_version": MODEL_VERSION, "metal": metal, "recipe": recipe,
            "parameters": dict(parameters), "result": {"seconds": seconds}}


slow_simulation.MODEL_VERSION = MODEL_VERSION
