"""``python -m interlayer.service ...`` is the ``interlayer`` command (worker processes are started this way)."""

from .cli import main

main()
