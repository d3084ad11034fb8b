"""The sandbox: a local emulation of Jira Cloud sites and Data Center instances.

``build_sandbox(...)`` makes the state, ``create_app(sandbox)`` the ASGI app
serving it; ``jiragw sandbox`` runs both on a port.
"""

from .app import create_app
from .seeding.build import build_sandbox
from .state.sandbox import Sandbox

__all__ = ["Sandbox", "build_sandbox", "create_app"]
