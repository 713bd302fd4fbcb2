"""The Medusa emulator's implementation (private: use ``medusa_auth_bridge.testing``).

Standard library only. ``runner`` starts it; ``server`` is the HTTP/1.1 layer; ``app`` (v1) and
``v2_app`` (v2) are the two Medusa backends; ``control`` is the test API under ``/__emulator/``;
``testkit`` is the client side of that API. Nothing is imported here, so importing the package
costs nothing until an emulator is started.
"""
