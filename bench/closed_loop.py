"""Closed-loop benchmark: Interlayer against random search, scikit-optimize's GP and Optuna's TPE.

    python -m bench.closed_loop --lab interlayer.evaluation.labs:paper_lab --metal Na --budget 32 --batch 4 --seeds 10

The same as ``interlayer closed-loop`` (``interlayer.evaluation.runner``, where the options are
described); kept here beside the other benches.
"""

from interlayer.evaluation.report import run_cli
from interlayer.evaluation.runner import main

if __name__ == "__main__":
    raise SystemExit(run_cli(main))
