"""The client's own version, sent as ``clientInfo.version`` in ``initialize``."""

__version__ = "0.1.0"
