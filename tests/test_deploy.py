"""The deployment files: Kubernetes manifests valid against the API schema, KEDA watching the queue the
code uses, and no secret with a default value."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from interlayer.service.jobs.queue import queue_keys
from interlayer.service.settings import Settings

DEPLOY = Path(__file__).parents[1] / "deploy"


def test_kubernetes_manifests_validate():
    manifests = sorted(str(path) for path in (DEPLOY / "kubernetes").glob("*.yaml"))
    result = subprocess.run([sys.executable, "-m", "kubernetes_validate", "--strict", "--quiet", *manifests],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_keda_scales_workers_on_the_queue_the_service_publishes_to():
    config = yaml.safe_load((DEPLOY / "kubernetes" / "config.yaml").read_text())["data"]
    settings = Settings(queue_prefix=config["INTERLAYER_QUEUE_PREFIX"], database_url="sqlite://")
    scaled = yaml.safe_load((DEPLOY / "kubernetes" / "scaledobject.yaml").read_text())
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["metadata"]["listName"] == queue_keys(settings)[-1]
    assert scaled["spec"]["scaleTargetRef"]["name"] == "interlayer-worker"


def test_no_password_has_a_default():
    for path in [DEPLOY / "compose.yaml", DEPLOY / "interlayer.env", *(DEPLOY / "kubernetes").glob("*.yaml")]:
        text = path.read_text()
        assert "interlayer:interlayer@" not in text and "POSTGRES_PASSWORD: interlayer" not in text, path
    assert "${POSTGRES_PASSWORD:?" in (DEPLOY / "compose.yaml").read_text()
