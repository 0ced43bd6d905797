"""Importers: the code read in from the documents it is published in.

* :mod:`~redline.importer.outline` — numbered lines -> a corpus ``section`` element (CONTRACTS B);
* :mod:`~redline.importer.docx` — a .docx (through :mod:`redline.word`) -> lines;
* :mod:`~redline.importer.text` — text extracted from a PDF -> lines, its damage repaired or reported;
* :mod:`~redline.importer.report` — what an import recognised, repaired, doubted and dropped.
"""

from redline.importer.outline import Line, build_section, outline_section, plan_sections
from redline.importer.report import ImportReport, Note

__all__ = ["ImportReport", "Line", "Note", "build_section", "outline_section", "plan_sections"]
