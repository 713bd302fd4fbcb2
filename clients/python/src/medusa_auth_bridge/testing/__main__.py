"""``python -m medusa_auth_bridge.testing``: the ``medusa-emulator`` command."""

import sys

from ._emulator.runner import main

sys.exit(main(prog="python -m medusa_auth_bridge.testing"))
