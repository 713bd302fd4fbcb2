#!/usr/bin/env python3
"""The Medusa emulator from a checkout: ``python3 scripts/emulator/medusa_emulator.py [flags]``.

The emulator lives in the Python package (``medusa_auth_bridge.testing``, so that test harnesses
outside a checkout get it with ``pip install``); this file runs that package's source from this
checkout, whatever is installed, for the Swift, Node and Python suites, the benchmark and the
demo. ``--help`` lists the flags; README.md next to this file documents them.

In-process, with this folder on sys.path: ``from medusa_emulator import start_emulator``.
"""

import os
import sys

_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
                       "clients", "python", "src")
sys.path.insert(0, os.path.normpath(_SOURCE))

from medusa_auth_bridge.testing._emulator.runner import Emulator, main, start_emulator  # noqa: E402

__all__ = ["Emulator", "main", "start_emulator"]

if __name__ == "__main__":
    sys.exit(main(prog="medusa_emulator.py"))
