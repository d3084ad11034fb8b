"""``python -m jiragw.cli``: the same as the ``jiragw`` console script."""

from .app import main

main()
