"""The two kinds of failure a Medusa v2 route raises, answered in emulator_v2_app.handle.

medusajs/medusa packages/core/framework/src/http/middlewares/authenticate-middleware.ts answers
401 ``{"message": "Unauthorized"}`` itself (no ``type``); everything else is a MedusaError that
packages/core/framework/src/http/middlewares/error-handler.ts turns into ``{code?, type, message}``.
"""


class Unauthorized(Exception):
    """The authenticate middleware's bare 401."""


class MedusaFailure(Exception):
    """A MedusaError: status, ``type``, ``message`` and an optional ``code``."""

    def __init__(self, status, error_type, message, code=None):
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.code = code


def unauthorized(message):
    """A provider's failure as the auth routes throw it: 401 ``type: unauthorized``."""
    return MedusaFailure(401, "unauthorized", message or "Authentication failed")
