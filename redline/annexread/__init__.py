"""Read a modification back from its Annex A (``redline import-annex``).

An Annex A — a DOCX with Word tracked changes, a DOCX in the house mark-up (inserted text blue
underlined, deleted red struck through), or the HTML page ``redline annex`` renders — is read into
typed operations against a base version, and the result is proven: the operations apply, the
document's accept-all text is the result and its reject-all text is the base version.

Stages, one module each: :mod:`~redline.annexread.marked` (the paragraphs every reader gives),
:mod:`~redline.annexread.html` and :mod:`~redline.annexread.docx` (the readers; DOCX through
:mod:`redline.word`), :mod:`~redline.annexread.front` (cover, section titles, drafting
instructions), :mod:`~redline.annexread.instructions` (what an instruction says, and whether the
marks agree), :mod:`~redline.annexread.outline` (one view as corpus clauses),
:mod:`~redline.annexread.compose` (the version the document shows), :mod:`~redline.annexread.synth`
(operations from two versions), :mod:`~redline.annexread.reading` (the pipeline and its proof) and
:mod:`~redline.annexread.report` (the report as text or JSON). All pure: bytes in, values out.
"""

from redline.annexread.reading import AnnexDocument, AnnexReading, import_annex, read_document

__all__ = ["AnnexDocument", "AnnexReading", "import_annex", "read_document"]
