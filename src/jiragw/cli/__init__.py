"""The ``jiragw`` command line (Typer + Rich)."""
