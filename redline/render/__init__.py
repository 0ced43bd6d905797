"""Renderers: turn model nodes and diff data into text, JSON, HTML and DOCX.

:func:`template_dirs` is the one place that knows where the templates (the HTML templates, the
stylesheet, the DOCX template) are installed; it is here, not in a renderer, so that finding the
DOCX template does not import jinja2."""

from __future__ import annotations

from pathlib import Path


def template_dirs(name: str) -> list[Path]:
    """Where the templates (the file ``name``) are: package data first, then the checkout's
    ``templates/``."""
    here = Path(__file__).resolve().parent.parent  # the redline package
    return [cand for cand in (here / "templates", here.parent / "templates") if (cand / name).is_file()]
