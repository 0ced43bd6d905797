"""Turn the results of ``bench.run`` into ``BENCHMARKS.md``: machine, data, targets, tables."""

from __future__ import annotations

import json
from pathlib import Path

ANALYSIS = Path(__file__).resolve().parent / "analysis.md"

#: the operation each peer is compared with
DIFF = "diff 1.0 1.1 (text)"
DOCX = "diff 1.0 1.1 --format docx --context all"


class Results:
    def __init__(self, data: dict):
        self.data = data
        self.sizes = data["sizes"]
        self.largest = max(self.sizes)
        self.by = {(m["name"], m["size"]): m for m in data["measurements"]}

    def m(self, name: str, size: int) -> dict | None:
        return self.by.get((name, size))

    def t(self, name: str, size: int) -> float | None:
        m = self.m(name, size)
        if not m or not m["times"]:
            return None
        ts = sorted(m["times"])
        return ts[len(ts) // 2] if len(ts) % 2 else (ts[len(ts) // 2 - 1] + ts[len(ts) // 2]) / 2

    def rss(self, name: str, size: int) -> float | None:
        """Peak memory in MB; unknown (None) for a run stopped at its cap."""
        m = self.m(name, size)
        return m["rss_kb"] / 1024 if m and m["rss_kb"] and not m["timed_out"] else None

    def cell_time(self, name: str, size: int) -> str:
        m = self.m(name, size)
        if m is None:
            return "–"
        if m["timed_out"]:
            return f"> {m['timed_out']:.0f} s"
        if m["error"]:
            return "error"
        return _fmt_t(self.t(name, size))

    def lower_bound(self, name: str, size: int) -> tuple[float | None, bool]:
        """(time, is_lower_bound): the cap when the run was stopped."""
        m = self.m(name, size)
        if m is None:
            return None, False
        if m["timed_out"]:
            return m["timed_out"], True
        return self.t(name, size), False


def _fmt_t(t: float | None) -> str:
    if t is None:
        return "–"
    return f"{t * 1000:.0f} ms" if t < 1 else f"{t:.2f} s" if t < 10 else f"{t:.0f} s"


def _fmt_mb(mb: float | None) -> str:
    return "–" if mb is None else f"{mb:.0f} MB"


def _ratio(x: float | None, y: float | None, bound: bool = False) -> str:
    if not x or not y:
        return "–"
    r = x / y
    s = f"{r:.0f}×" if r >= 10 else f"{r:.1f}×" if r >= 0.1 else f"{r:.2f}×"
    return ("≥ " if bound else "") + s


def targets(r: Results) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) rows."""
    L = r.largest
    rows = []

    def verdict(ok: bool | None) -> str:
        return "n/a" if ok is None else "**PASS**" if ok else "**FAIL**"

    diff, floor = r.t(DIFF, L), r.t("floor: python + lxml parse of both", L)
    rows.append((f"whole-code diff ({L} clauses) under 1 s end to end", _fmt_t(diff), verdict(diff is not None and diff < 1)))
    rows.append(("… and within 1.5× the floor (python start + lxml parse of both versions)",
                 f"{_fmt_t(diff)} vs floor {_fmt_t(floor)} = {_ratio(diff, floor)}",
                 verdict(None if not (diff and floor) else diff <= 1.5 * floor)))
    # xmldiff: at every size; the verdict at the largest size
    parts, ok = [], None
    for s in r.sizes:
        x, bound = r.lower_bound("xmldiff fast_match (per section file)", s)
        ours = r.t(DIFF, s)
        if x and ours:
            parts.append(f"{s}: {_ratio(x, ours, bound)}")
            if s == L:
                ok = (x / ours >= 100) if (not bound or x / ours >= 100) else None
    rows.append(("at least 100× faster than xmldiff on the same pair (ratio at each size)", ", ".join(parts) or "–",
                 verdict(ok)))
    chk = r.t("check (50 modifications)", L)
    rows.append(("`check` of the 50 modifications under 3 s", _fmt_t(chk), verdict(chk is not None and chk < 3)))
    xr = r.t("xref 1.0 (whole version)", L)
    rows.append(("`xref` of the whole code under 2 s", _fmt_t(xr), verdict(xr is not None and xr < 2)))
    an = r.t("annex BM001 --format docx", L)
    by_size = ", ".join(f"{s}: {_fmt_t(r.t('annex BM001 --format docx', s))}" for s in r.sizes)
    rows.append(("Annex A DOCX of a section-sized modification (BM001) under 1 s (verdict on the whole code)",
                 by_size, verdict(an is not None and an < 1)))
    from bench.run import IMPORT_ANNEX_COMPARE, IMPORT_ANNEX_DOCX

    ia = r.t(IMPORT_ANNEX_DOCX, L)
    rows.append(("`import-annex` of a section-sized Annex A (BM001, DOCX) under 1 s (verdict on the whole code)",
                 ", ".join(f"{s}: {_fmt_t(r.t(IMPORT_ANNEX_DOCX, s))}" for s in r.sizes),
                 verdict(ia is not None and ia < 1) if ia is not None else "n/a"))
    ic, icm = r.t(IMPORT_ANNEX_COMPARE, L), r.rss(IMPORT_ANNEX_COMPARE, L)
    cmp_size = (r.data["data"].get(str(L), {}).get("compare_docx") or {}).get("unpacked")
    rows.append(("`import-annex` of the whole-code Word compare (python-redlines) under 5 s and under 10× its "
                 "unpacked size in memory",
                 f"{_fmt_t(ic)} / {_fmt_mb(icm)} (unpacked {cmp_size / 2**20:.0f} MB: {_ratio(icm, cmp_size / 2**20)})"
                 if ic is not None and cmp_size else _fmt_t(ic),
                 verdict(ic < 5 and icm is not None and cmp_size is not None and icm < 10 * cmp_size / 2**20)
                 if ic is not None else "n/a"))
    ours_t, ours_m = r.t(DOCX, L), r.rss(DOCX, L)
    pr, bound = r.lower_bound("python-redlines (DOCX, Docxodus)", L)
    pm = r.rss("python-redlines (DOCX, Docxodus)", L)
    ok = None
    if ours_t and pr:
        ok = pr / ours_t >= 10 and (pm is not None and ours_m is not None and ours_m < pm / 10)
    rows.append(("whole-code tracked-changes DOCX ≥ 10× faster than python-redlines, < 1/10 of its memory",
                 f"{_fmt_t(ours_t)} / {_fmt_mb(ours_m)} vs {'> ' if bound else ''}{_fmt_t(pr)} / {_fmt_mb(pm)}: "
                 f"{_ratio(pr, ours_t, bound)} faster, {_ratio(pm, ours_m)} less memory", verdict(ok)))
    ex = r.t(EXPORT, L)
    rows.append(("`export` of the whole code to DOCX under 2.5 s", _fmt_t(ex), verdict(ex is not None and ex < 2.5)))
    im, im_mb = r.t(IMPORT, L), r.rss(IMPORT, L)
    one, one_mb = r.t(IMPORT_ONE, L), r.rss(IMPORT_ONE, L)
    unpacked = r.data["data"][str(L)].get("export_docx_unpacked")
    peers = []
    for name, label in (("pandoc -f docx -t plain (the export DOCX)", "pandoc"),
                        ("docx2python (the export DOCX)", "docx2python")):
        t, bound = r.lower_bound(name, L)
        if t:
            peers.append(f"{label} {'> ' if bound else ''}{_fmt_t(t)} / {_fmt_mb(r.rss(name, L))}")
    mem_ok = None if not (im_mb and unpacked) else im_mb < 10 * unpacked / 2**20
    rows.append(("`import` of that whole-code DOCX under 3 s and under 10× its unpacked size in memory",
                 f"{_fmt_t(im)} / {_fmt_mb(im_mb)}"
                 + (f" ({im_mb / (unpacked / 2**20):.1f}× the {unpacked / 2**20:.0f} MB unpacked)" if im_mb and unpacked else "")
                 + (f", its sections built by one process per CPU (in one process: {_fmt_t(one)} / {_fmt_mb(one_mb)})"
                    if one is not None else "")
                 + (f"; peers reading the same file: {', '.join(peers)}" if peers else ""),
                 verdict(None if im is None else im < 3 and bool(mem_ok))))
    rel = r.t(RELEASE, L)
    rows.append(("`release` of the 50 modifications onto the whole code, conflicts checked, under 3 s", _fmt_t(rel),
                 verdict(rel is not None and rel < 3) if rel is not None else "n/a"))
    log_name = next((m["name"] for m in r.data["measurements"] if m["name"].startswith("log one clause")), None)
    lg = r.t(log_name, L) if log_name else None
    rows.append(("`log` of one clause over 20 versions under 1 s", _fmt_t(lg),
                 verdict(lg is not None and lg < 1) if lg is not None else "n/a"))
    h = r.t("redline --help", 0)
    rows.append(("`redline --help` under 0.2 s", _fmt_t(h), verdict(h is not None and h < 0.2)))
    wd = {}
    for m in r.data["measurements"]:
        if m["name"].startswith("word diff of one clause") and m.get("info"):
            try:
                info = json.loads(m["info"])
            except ValueError:
                continue
            wd[info["words"]] = info
    if wd:
        big = wd[max(wd)]
        rows.append(("word diff of one clause linear: 1M words under 5 s, exact (100k / 400k / 1M words)",
                     ", ".join(f"{w:,}: {i['seconds']:.2f} s" for w, i in sorted(wd.items())),
                     verdict(big["words"] >= 1_000_000 and big["seconds"] < 5 and all(i["exact"] for i in wd.values()))))
    # memory: each of our commands at the largest size, against the XML of the versions it reads
    vb = r.data["data"][str(L)]["version_bytes"]
    one, two = vb["1.0"] / 2**20, (vb["1.0"] + vb["1.1"]) / 2**20
    worst, worst_name = 0.0, ""
    for m in r.data["measurements"]:
        if m["size"] != L or m["rss_kb"] == 0 or m["name"] not in _OURS or m["timed_out"]:
            continue
        # a diff reads two versions; a release reads one and makes another (the consolidated one)
        on_disk = two if m["name"].startswith(("diff", "release")) else one
        ratio = m["rss_kb"] / 1024 / on_disk
        if ratio > worst:
            worst, worst_name = ratio, m["name"]
    rows.append(("peak memory under 10× the corpus size on disk (worst command; the XML of the versions it reads)",
                 f"{worst:.1f}× ({worst_name})", verdict(worst < 10 if worst else None)))
    for name, label in (("load 1.0 (library, validated)", "load (validated)"),
                        ("load 1.0 (library, validation cached)", "load (validation cached)"),
                        ("xref 1.0 (whole version)", "xref")):
        rows.append((f"{label} time linear in clauses", *_linear(r, name)))
    rows.append(("diff time proportional to the changed clauses", *_proportional(r)))
    return rows


EXPORT = "export 1.0 --format docx (whole version)"
IMPORT = "import of that DOCX (every section)"
IMPORT_ONE = "import of that DOCX, one process (--jobs 1)"

_OURS = {
    EXPORT,
    "load 1.0 (library, validated)", "load 1.0 (library, validation cached)",
    "check, validation cache off (a fresh clone)", "diff 1.0 1.0 (no change)", DIFF, "diff 1.0 1.2 (10x the changes)",
    "diff 1.0 1.1 --format json", "diff 1.0 1.1 --format html", DOCX, "apply BM001 (section-sized)",
    "check (50 modifications)", "xref 1.0 (whole version)", "xref 1.0 --format json", "annex BM001 --format docx",
    "annex BM001 --format html",
    "annex BM003 --format docx (small)", "release of the 50 modifications onto 1.0",
    "log one clause over 20 versions", "show --blame, one clause over 20 versions",
}

RELEASE = "release of the 50 modifications onto 1.0"


def _linear(r: Results, name: str) -> tuple[str, str]:
    """Cost per 1,000 clauses (start-up taken off) at each size; linear if the largest is within 1.5× of the mid size."""
    start = r.t("python -c pass", 0) or 0
    per = {}
    for s in r.sizes:
        t = r.t(name, s)
        if t is not None:
            per[s] = max(t - start, 0) / s * 1000
    if len(per) < 2:
        return "–", "n/a"
    text = ", ".join(f"{s}: {_fmt_t(v)}" for s, v in per.items()) + " per 1,000 clauses"
    ref = [s for s in per if s >= 1000] or list(per)
    lo, hi = per[ref[0]], per[max(per)]
    return text, "**PASS**" if hi <= 1.5 * lo else "**FAIL**"


def _proportional(r: Results) -> tuple[str, str]:
    """Extra time over a no-change diff, per changed clause, at 1% and at 10% changes."""
    L = r.largest
    st = r.data["data"][str(L)]
    base = r.t("diff 1.0 1.0 (no change)", L)
    t1, t10 = r.t(DIFF, L), r.t("diff 1.0 1.2 (10x the changes)", L)
    c1, c10 = st.get("changed 1.1"), st.get("changed 1.2")
    if None in (base, t1, t10) or not c1 or not c10:
        return "–", "n/a"
    m1, m10 = (t1 - base) / c1 * 1000, (t10 - base) / c10 * 1000
    text = (f"at {L} clauses: no change {_fmt_t(base)}; {c1} changed clauses {_fmt_t(t1)} "
            f"({m1:.1f} ms each over no change); {c10} changed {_fmt_t(t10)} ({m10:.1f} ms each)")
    return text, "**PASS**" if m10 <= 2 * max(m1, 0.1) else "**FAIL**"


def render(data: dict) -> str:
    r = Results(data)
    mach = data["machine"]
    out = ["# Benchmarks", "",
           "Generated by `python -m bench.run` (see README, *Benchmarks*); do not edit by hand: "
           "the analysis at the end comes from `bench/analysis.md`.", "",
           f"Run on {mach['date']}, in {data.get('wall_seconds', '?')} s. Every figure is a separate process, "
           "timed from start to exit (interpreter start-up and imports included) with its peak resident memory "
           "(`ru_maxrss`, children included); the median of up to 5 runs (3 for runs over 1 s, 1 over 10 s). "
           "Peers stopped at their cap show \"> N s\". redline's validation cache (a file whose exact bytes "
           "already passed the schema is not validated again; `REDLINE_CACHE_DIR`) is warm, as after any first "
           "use; the rows marked *validated* or *validation cache off* show the cold cost.", "",
           "## Machine", "",
           f"- CPU: {mach['cpu']}, {mach['cores']} cores; memory {mach['memory']}",
           f"- Python {mach['python']} on {mach['platform']}; {mach['git']}",
           "- " + ", ".join(f"{k} {v}" for k, v in mach["libraries"].items()), "",
           "## Data", "",
           "Generated by `python -m bench.generate` (seeded, deterministic): sections A to X (Section G alone at the "
           "smallest size), parts, cross-headings, clauses with items and romanettes, cross-references including "
           "ranges, Section A's definitions. Version 1.1 is 1.0 with 1% of clauses amended (a phrase inserted, "
           "deleted or substituted), 0.2% inserted, 0.2% deleted and one run renumbered (references re-pointed); "
           "1.2 has ten times the edits. 50 modifications (BM001 section-sized: phrases in 120 clauses and a new "
           "part of 40; BM002 a renumbering with its consequential amendments; the rest small) are drafted "
           "against 1.0.", "",
           "| clauses | sections | parts | definitions | words | XML of one version | changed clauses 1.0→1.1 | 1.0→1.2 |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s in r.sizes:
        st = data["data"][str(s)]
        out.append(f"| {st['clauses']:,} | {st['sections']} | {st['parts']} | {st['definitions']} | {st['words']:,} | "
                   f"{st['version_bytes']['1.0'] / 1e6:.1f} MB | {st.get('changed 1.1', '–')} | {st.get('changed 1.2', '–')} |")
    out += ["", "## Targets", "", "| target | measured | verdict |", "|---|---|---|"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in targets(r)]
    head = "| | " + " | ".join(f"{s:,} clauses" for s in r.sizes) + " |"
    sep = "|---|" + "---:|" * len(r.sizes)
    out += ["", "## redline", "",
            "Time, then peak memory. `redline --help`: " + _fmt_t(r.t("redline --help", 0)) + ", "
            + _fmt_mb(r.rss("redline --help", 0)) + " (bare `python -c pass`: " + _fmt_t(r.t("python -c pass", 0)) + ").",
            "", head, sep]
    for name in [m["name"] for m in data["measurements"] if m["size"] == r.sizes[0] and m["name"] in _OURS]:
        cells = []
        for s in r.sizes:
            m = r.m(name, s)
            cells.append("–" if m is None else f"{r.cell_time(name, s)} · {_fmt_mb(r.rss(name, s))}"
                         + (f" (error: {m['error']})" if m and m["error"] else ""))
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    out += ["", "## Peers, same data, same run", "",
            f"Time · peak memory · how many times slower than `redline {DIFF}` (python-redlines: than the "
            f"whole-code tracked-changes DOCX, `redline {DOCX}`). Below 1× the peer is faster: git's word diff "
            "and difflib's line diff compare plain text, with no clause pairing (a renumbered clause is a deletion "
            "plus an insertion), no word-level redline that keeps cross-references whole, and no document; "
            "diff-match-patch with its default timeout gives up on the whole code (see below).", "", head, sep]
    peer_names = []
    for m in data["measurements"]:
        if m["name"] not in _OURS and m["size"] and m["name"] not in peer_names:
            peer_names.append(m["name"])
    for name in peer_names:
        cells = []
        for s in r.sizes:
            m = r.m(name, s)
            if m is None:
                cells.append("–")
                continue
            if m["error"]:
                cells.append(f"error: {m['error']}")
                continue
            x, bound = r.lower_bound(name, s)
            ref = r.t(DOCX if name.startswith("python-redlines") else DIFF, s)
            cells.append(f"{r.cell_time(name, s)} · {_fmt_mb(r.rss(name, s))} · {_ratio(x, ref, bound)}")
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    notes = [m for m in data["measurements"] if m.get("info") and m["name"] == "diff-match-patch (whole text)"]
    if notes:
        out += ["", "diff-match-patch's result (its default 1 s timeout): "
                + "; ".join(f"{m['size']}: {m['info']}" for m in notes)
                + ". `unchanged_share` below 1 − (changed share) means it gave up and returned coarse "
                  "delete-and-insert blocks."]
    if ANALYSIS.exists():
        out += ["", ANALYSIS.read_text(encoding="utf-8").strip()]
    return "\n".join(out) + "\n"
