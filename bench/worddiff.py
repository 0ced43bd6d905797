"""The word diff of one very long clause: ``python -m bench.worddiff 100000 400000 1000000``.

A clause of N words of SEC-like text (the benchmark corpus's writer: sentences with defined terms
and cross-references) is amended as modifications amend text: about one sentence in a hundred has
a phrase inserted, deleted or substituted. :func:`redline.textdiff.diff_text` is timed on the
pair, in this process (text generation not counted; wall and CPU time, which differ on a busy
machine), and the result is checked to be exact
(equal + deleted spans give the old text, equal + inserted the new). Prints one JSON line per size.
"""

from __future__ import annotations

import json
import random
import sys
import time

from bench import generate

#: sentences amended, as a fraction
EDIT_RATE = 0.01
PHRASES = ("as soon as reasonably practicable", "(acting reasonably)", "in accordance with Section G3.18(a)",
           "and any other User", "unless the Panel otherwise determines", "which forms part of a SMETS2+ Device")


def clause_pair(words: int, seed: int = 7) -> tuple[str, str]:
    """(old, new): a clause of about ``words`` words and its amended text."""
    rng = random.Random(seed)
    skel, _ = generate.plan(rng, 200)
    writer = generate.Writer(rng, skel)
    sec = sorted(skel.parts_by_section)[0]
    part = skel.parts_by_section[sec][0]
    old, new, n = [], [], 0
    while n < words:
        s = writer.sentence(sec, part)
        n += s.count(" ") + 1
        old.append(s)
        r = rng.random()
        if r < EDIT_RATE / 3:  # a phrase inserted after a word
            w = s.split(" ")
            i = rng.randrange(1, len(w))
            s = " ".join(w[:i] + [rng.choice(PHRASES)] + w[i:])
        elif r < 2 * EDIT_RATE / 3:  # some words deleted
            w = s.split(" ")
            i = rng.randrange(1, max(2, len(w) - 4))
            s = " ".join(w[:i] + w[i + rng.randint(1, 4):])
        elif r < EDIT_RATE:  # a word substituted
            w = s.split(" ")
            i = rng.randrange(len(w))
            w[i] = rng.choice(("Party", "User", "Supplier", "Panel", "must", "may", "reasonable"))
            s = " ".join(w)
        new.append(s)
    return " ".join(old), " ".join(new)


def measure(words: int) -> dict:
    from redline.textdiff import EQUAL, new_text, old_text
    from redline.textdiff import diff_text

    old, new = clause_pair(words)
    t0, c0 = time.perf_counter(), time.process_time()
    spans = diff_text(old, new)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    exact = old_text(spans) == old and new_text(spans) == new
    changed = sum(1 for s in spans if s.kind != EQUAL)
    return {"words": len(old.split()), "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3), "exact": exact,
            "changed_spans": changed}


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [100_000, 400_000, 1_000_000]
    ok = True
    for n in sizes:
        row = measure(n)
        ok &= row["exact"]
        print(json.dumps(row), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
