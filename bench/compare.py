"""Before and after: redline's own benchmark rows run by two checkouts of redline on one corpus.

    python -m bench.compare --before /path/to/old/checkout [--corpus bench/data/sec-10000] [--repeat 5]

The old checkout needs its own virtual environment in ``.venv`` (``pip install -e .``). Each row
is run by the old and the new code in turn (old, new, old, new, …), so that a change in the
machine's load falls on both alike (both byte-compiled first, as an install leaves them), and the median of each is kept: wall time, CPU time (user +
system, from ``os.wait4``, which a busy machine disturbs less) and peak memory. Only the rows
both checkouts can run are measured (the old code has no ``import`` or ``release``). The table is
printed as Markdown for the CHANGELOG.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import generate
from bench.run import ours, precompile

ROOT = Path(__file__).resolve().parent.parent


#: the rows of :func:`bench.run.ours` that the code of 2026-11-22 (before issues 10-15) can run
ROWS = ("load 1.0 (library, validated)", "load 1.0 (library, validation cached)", "diff 1.0 1.0 (no change)",
        "diff 1.0 1.1 (text)", "diff 1.0 1.2 (10x the changes)", "diff 1.0 1.1 --format json",
        "diff 1.0 1.1 --format html", "diff 1.0 1.1 --format docx --context all", "apply BM001 (section-sized)",
        "check (50 modifications)", "check, validation cache off (a fresh clone)", "xref 1.0 (whole version)",
        "xref 1.0 --format json", "annex BM001 --format docx", "annex BM001 --format html",
        "annex BM003 --format docx (small)")


def _rows(redline: list[str], py: str, peers: str, d: Path, out: Path) -> list[tuple[str, list[str], tuple[int, ...]]]:
    return [row for row in ours(d, out, redline, py, peers) if row[0] in ROWS]


def _checkout(root: Path) -> tuple[list[str], str, str]:
    py = root / ".venv" / "bin" / "python"
    if not py.exists():
        sys.exit(f"{root}: no .venv/bin/python (create it and pip install -e . there)")
    return [str(root / ".venv" / "bin" / "redline")], str(py), str(root / "bench" / "peers.py")


def _run(cmd: list[str], cwd: Path) -> tuple[float, float, int, int]:
    """(wall s, CPU s, peak RSS KB, exit code) of one run of ``cmd``."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, os.waitstatus_to_exitcode(status)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.split("\n\n")[0])
    ap.add_argument("--before", type=Path, required=True, help="the old checkout (with its own .venv)")
    ap.add_argument("--corpus", type=Path, default=generate.DATA_DIR / "sec-10000")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    args.corpus = args.corpus.resolve()
    before, after = _checkout(args.before.resolve()), _checkout(ROOT)
    precompile(ROOT)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([before[1], "-m", "compileall", "-q", str(args.before / "redline")], check=False,
                   stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory() as t1, tempfile.TemporaryDirectory() as t2:
        old_rows = _rows(*before, args.corpus, Path(t1))
        new_rows = _rows(*after, args.corpus, Path(t2))
        print("| row (10,000 clauses) | before: wall · CPU · memory | after: wall · CPU · memory | CPU after/before |")
        print("|---|---:|---:|---:|")
        for (name, old_cmd, ok), (_, new_cmd, _) in zip(old_rows, new_rows):
            res: dict[str, list[tuple[float, float, int, int]]] = {"old": [], "new": []}
            for _ in range(args.repeat):
                res["old"].append(_run(old_cmd, args.before))
                res["new"].append(_run(new_cmd, ROOT))
            cells = []
            for side in ("old", "new"):
                rs = res[side]
                codes = {r[3] for r in rs}
                if codes - set(ok):
                    cells.append(f"exit {sorted(codes)}")
                    continue
                cells.append(f"{statistics.median(r[0] for r in rs):.2f} s · "
                             f"{statistics.median(r[1] for r in rs):.2f} s · {max(r[2] for r in rs) / 1024:.0f} MB")
            ratio = (statistics.median(r[1] for r in res["new"]) / statistics.median(r[1] for r in res["old"]))
            print(f"| {name} | {cells[0]} | {cells[1]} | {ratio:.2f}× |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
