"""Renderers: turn model nodes and diff data into text, JSON, HTML and DOCX."""
