"""The peers: what a user would reach for instead of redline, run on the benchmark data.

Run as a script, one tool per process, so that start-up and peak memory are each tool's own::

    python bench/peers.py TOOL CORPUS_DIR [OLD NEW]

TOOL is one of: ``floor`` (interpreter start plus lxml's parse of both versions' XML),
``xmldiff`` (xmldiff's fast_match on each section's XML), ``difflib-lines`` (unified diff of the
whole text), ``difflib-words`` (SequenceMatcher over the whole text's words), ``dmp``
(diff-match-patch on the whole text, its default 1 s timeout), ``redlines`` (the `redlines`
package on the whole text), ``python-redlines`` (Docxodus/Open-XML-PowerTools comparison of two
plain DOCX renderings, giving a tracked-changes DOCX), ``redline-load`` (redline's
load of one version, through the library: validated unless the validation cache knows the files;
``REDLINE_CACHE_DIR=off`` forces validation), ``docx2python`` (docx2python's reading of the
whole-version DOCX ``redline export`` wrote, the file the import rows read), ``redline-warm`` (load every version once, to
fill the validation cache). Prints one line of JSON about the result on stdout.

Imports are done inside each tool so that none pays for another's.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _files(corpus: Path, vid: str) -> list[Path]:
    return sorted((corpus / "versions" / vid).glob("*.xml"))


def floor(corpus: Path, old: str, new: str) -> dict:
    from lxml import etree

    n = 0
    for vid in (old, new):
        for f in _files(corpus, vid):
            n += len(etree.parse(str(f)).getroot())
    return {"parts": n}


def xmldiff(corpus: Path, old: str, new: str) -> dict:
    from xmldiff import main

    actions = 0
    olds = {f.name: f for f in _files(corpus, old)}
    for f in _files(corpus, new):
        if f.name in olds:
            actions += len(main.diff_files(str(olds[f.name]), str(f),
                                           diff_options={"F": 0.5, "ratio_mode": "fast", "fast_match": True}))
    return {"actions": actions}


def _texts(corpus: Path) -> tuple[str, str]:
    peer = corpus / "peer"
    return (peer / "old.txt").read_text(encoding="utf-8"), (peer / "new.txt").read_text(encoding="utf-8")


def difflib_lines(corpus: Path, old: str, new: str) -> dict:
    import difflib

    a, b = _texts(corpus)
    out = list(difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm=""))
    return {"lines": len(out)}


def difflib_words(corpus: Path, old: str, new: str) -> dict:
    import difflib

    a, b = _texts(corpus)
    ops = difflib.SequenceMatcher(None, a.split(), b.split()).get_opcodes()
    return {"changes": sum(1 for op in ops if op[0] != "equal")}


def dmp(corpus: Path, old: str, new: str) -> dict:
    from diff_match_patch import diff_match_patch

    a, b = _texts(corpus)
    d = diff_match_patch()  # defaults, as a user gets them: Diff_Timeout = 1 s
    diffs = d.diff_main(a, b)
    d.diff_cleanupSemantic(diffs)
    same = sum(len(t) for op, t in diffs if op == 0)
    return {"changes": sum(1 for op, _ in diffs if op != 0),
            "unchanged_share": round(same / max(1, len(a)), 4)}


def redlines(corpus: Path, old: str, new: str) -> dict:
    from redlines import Redlines

    a, b = _texts(corpus)
    out = Redlines(a, b).output_markdown
    return {"chars": len(out)}


def python_redlines(corpus: Path, old: str, new: str) -> dict:
    import warnings

    warnings.simplefilter("ignore")
    from python_redlines.engines import DocxodusEngine

    peer = corpus / "peer"
    out, _, _ = DocxodusEngine().run_redline("bench", (peer / "old.docx").read_bytes(), (peer / "new.docx").read_bytes())
    if SAVE_TO is not None:  # bench.run keeps one compare to read back with import-annex
        Path(SAVE_TO).write_bytes(out)
    return {"bytes": len(out)}


#: where ``python-redlines`` writes its output when given a fifth argument (``bench.run.compare_docx``)
SAVE_TO: str | None = None


def redline_load(corpus: Path, old: str, new: str) -> dict:
    from redline.corpus import Corpus

    v = Corpus.open(corpus).load(old)
    return {"nodes": len(v.index)}


def redline_warm(corpus: Path, old: str, new: str) -> dict:
    """Load every version once, so that the validation cache knows its files (not measured)."""
    from redline.corpus import Corpus

    c = Corpus.open(corpus)
    return {"versions": [len(c.load(v).sections) for v in c.version_ids]}


def docx2python_tool(corpus: Path, old: str, new: str) -> dict:
    """docx2python's reading of the whole-version DOCX that ``redline export`` wrote (the import rows' file)."""
    from docx2python import docx2python

    with docx2python(str(corpus.parent / f"{corpus.name}-export-1.0.docx")) as doc:
        return {"chars": len(doc.text)}


TOOLS = {"docx2python": docx2python_tool, "floor": floor, "xmldiff": xmldiff, "difflib-lines": difflib_lines, "difflib-words": difflib_words,
         "dmp": dmp, "redlines": redlines, "python-redlines": python_redlines, "redline-load": redline_load,
         "redline-warm": redline_warm}


def main(argv: list[str]) -> int:
    global SAVE_TO
    tool, corpus = argv[0], Path(argv[1])
    old, new = (argv[2], argv[3]) if len(argv) > 3 else ("1.0", "1.1")
    if len(argv) > 4:
        SAVE_TO = argv[4]
    print(json.dumps(TOOLS[tool](corpus, old, new)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
