"""The code stays readable in an afternoon: short functions, small service modules, layers that hold."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
LONGEST_FUNCTION_LINES = 80
LONGEST_SERVICE_FILE_LINES = 300


def python_files(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py"))


def test_no_function_is_longer_than_80_lines():
    long = []
    for path in python_files("models", "surrogate", "evaluation", "service"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > LONGEST_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines} lines)")
    assert long == []


def test_no_service_module_is_longer_than_300_lines():
    long = [f"{path.relative_to(ROOT)} ({n} lines)" for path in python_files("service")
            if (n := len(path.read_text().splitlines())) > LONGEST_SERVICE_FILE_LINES]
    assert long == []


@pytest.mark.parametrize("module", ["interlayer.service.http", "interlayer.service.worker.tasks"])
def test_the_service_loads_neither_the_evaluation_harness_nor_its_baselines(module):
    # a fresh interpreter: this one has imported everything already
    probe = (f"import sys, {module}; "
             "print(sorted({m.split('.')[0] if not m.startswith('interlayer.') else '.'.join(m.split('.')[:2]) "
             "for m in sys.modules}))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert "'interlayer.service'" in loaded
    for unwanted in ("skopt", "optuna", "baybe", "ax", "torch", "interlayer.evaluation"):
        assert f"'{unwanted}'" not in loaded
