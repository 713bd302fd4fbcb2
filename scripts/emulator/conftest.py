"""The emulator's tests run this checkout's package source, whatever copy is pip-installed.

Importing the ``medusa_emulator`` shim puts ``clients/python/src`` first on sys.path before any
test module imports ``medusa_auth_bridge.testing``. (pytest.ini keeps the installed package's
pytest plugin off here, since loading it would import the installed copy first.)
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import medusa_emulator  # noqa: E402,F401
