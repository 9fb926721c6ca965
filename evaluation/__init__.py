"""The evaluation harness: simulated labs, baseline planners, the closed loop, its scoring and runner.

It sits above ``interlayer.surrogate`` and is imported by no product module but the CLI commands
that run it (``interlayer closed-loop``, ``interlayer demo``) and the benchmarks.
"""
