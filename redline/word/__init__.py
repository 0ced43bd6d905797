"""The Word reader: the one place that knows OOXML (used by ``redline import`` and ``import-annex``).

    from redline.word import open_docx
    doc = open_docx(data, "G.docx")          # untrusted bytes in; DocumentError if hostile
    for p in doc.paragraphs:                 # body order, tables flattened
        p.number("accept"), p.text("accept"), p.style_name, p.runs, p.mark

Layers, each with one job: :mod:`~redline.word.package` (the zip: limits, safe parsing of every
part), :mod:`~redline.word.styles` (style chains), :mod:`~redline.word.numbering` (Word's
automatic numbers), :mod:`~redline.word.document` (the body as paragraphs and runs).
"""

from redline.word.document import Document, NumberingRef, Paragraph, Run, open_docx

__all__ = ["Document", "NumberingRef", "Paragraph", "Run", "open_docx"]
