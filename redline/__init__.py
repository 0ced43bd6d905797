"""redline: version control and redlines for legal codes held as structured XML clauses."""

__version__ = "0.1.0"
