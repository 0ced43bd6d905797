"""A corpus with a history and a release planted in it, for the release, rebase and log tests.

Built from the fixture corpus (``tests/fixtures/mods/corpus``, invented text): version 2.0 is 1.0
with modification V2 made (G8.5 deleted, G8.4 renumbered G8.5, a new G8.4, words of G8.3
changed), recorded in the manifest; the modifications RB1 … RB9, all drafted against 1.0, are
planted to give each outcome a release can report when made onto 2.0.
"""

from __future__ import annotations

import shutil
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "mods" / "corpus"


def mod_xml(mod_id: str, ops: str, base: str = "1.0", title: str | None = None) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<modification id="{mod_id}" base="{base}">\n'
            f"  <title>{title or 'Planted modification ' + mod_id}</title>\n"
            f"  <operations>\n{ops}\n  </operations>\n</modification>\n")


#: the change that makes version 2.0 from 1.0
V2 = mod_xml("V2", """
    <delete target="G8.5"/>
    <renumber target="G8.4" as="G8.5"/>
    <insert after="G8.3">
      <clause num="G8.4"><text>A new fixture clause inserted in version 2.0.</text></clause>
    </insert>
    <substitute target="G8.3"><old>shall be final</old><new>shall be final and binding</new></substitute>
""", title="Make version 2.0")

#: the planted modifications, drafted against 1.0, and what each should be onto 2.0
MODS = {
    # G8.4 is G8.5 in 2.0
    "RB1": ("""<substitute target="G8.4"><old>correct it</old><new>correct it promptly</new></substitute>""",
            "rebased"),
    # G8.5 is deleted in 2.0
    "RB2": ("""<amend target="G8.5"><old>This Section G8.5 is a fixture clause that will be deleted.</old>
               <new>This Section G8.5 is a fixture clause that was kept.</new></amend>""", "obsolete"),
    # 2.0 inserted words right after "final": these change "final"
    "RB3": ("""<substitute target="G8.3"><old>shall be final</old><new>shall be conclusive</new></substitute>""",
            "conflict"),
    # other words of G8.3: still there as drafted
    "RB4": ("""<substitute target="G8.3"><old>The Panel shall publish</old><new>The Panel must publish</new>
               </substitute>""", "as-drafted"),
    # a new clause between G8.3 and the new G8.4
    "RB5": ("""<insert after="G8.3"><clause num="G8.3A"><text>A planted clause after G8.3.</text></clause>
               </insert>""", "as-drafted"),
    # RB6 and RB7 change the same word of G8.1 ("a"): a conflict whichever comes first
    "RB6": ("""<substitute target="G8.1"><old>a fixture assessment</old><new>an annual fixture assessment</new>
               </substitute>""", "as-drafted"),
    "RB7": ("""<substitute target="G8.1"><old>undergo a fixture</old><new>undergo one fixture</new>
               </substitute>""", "conflict"),
    # the change 2.0 made
    "RB8": ("""<substitute target="G8.3"><old>shall be final</old><new>shall be final and binding</new>
               </substitute>""", "already-made"),
    # a whole-field amend of G8.3 whose change is away from the words 2.0 changed
    "RB9": ("""<amend target="G8.3"><old>The Panel shall publish the fixture assessment, and the fixture assessment shall be final.</old>
               <new>The Panel shall promptly publish the fixture assessment, and the fixture assessment shall be final.</new>
               </amend>""", "rebased"),
    # the phrase RB6 quotes, another word of it: the quoted words are brought up to date
    "RB10": ("""<substitute target="G8.1"><old>a fixture assessment</old><new>a fixture review</new>
               </substitute>""", "as-drafted"),
}


def build(root: Path) -> Path:
    """Write the scenario corpus under ``root/corpus`` and return its path."""
    from redline.apply import apply_modification
    from redline.corpus import Corpus
    from redline.mods import parse_modification

    dst = root / "corpus"
    shutil.copytree(FIXTURE, dst)
    corpus = Corpus.open(dst)
    v2 = parse_modification(V2.encode(), "V2.xml")
    res = apply_modification(corpus.load("1.0"), v2, "2.0")
    corpus.save_version(res.version, predecessor="1.0", modification="V2", note="1.0 with V2 made.")
    mods = dst / "mods"
    mods.mkdir(exist_ok=True)
    for name in list(mods.iterdir()):
        name.unlink()  # only the planted modifications
    for mod_id, (ops, _) in MODS.items():
        (mods / f"{mod_id}.xml").write_text(mod_xml(mod_id, "    " + ops), encoding="utf-8")
    return dst
