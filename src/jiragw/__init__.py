"""jiragw: a self-hosted Jira gateway (see the README and docs)."""

__all__ = ["__version__"]

__version__ = "0.1.0"
