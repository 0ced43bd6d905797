"""Allow ``python -m redline``."""

from redline.cli import run

run()
