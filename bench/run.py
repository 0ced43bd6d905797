"""Run the benchmarks and write ``BENCHMARKS.md``.

    python -m bench.run                      # the full run: sizes 200, 1000, 3000, 10000 (~15 min)
    python -m bench.run --sizes 200,1000     # a quicker run
    python -m bench.run --render             # rewrite BENCHMARKS.md from the last results

Every measurement is a separate process started from here: its wall time (start to exit, so
interpreter start-up and imports are included, as a user lives them) and its peak resident memory
(``ru_maxrss`` from ``os.wait4``, which covers the process and any child it waited for, e.g. the
.NET binary python-redlines runs). Each is repeated and the median kept (fewer repeats for slow
ones); peers that run past their cap are stopped and reported as "> N s". Results go to
``bench/data/results.json`` and the report to ``BENCHMARKS.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench import generate

ROOT = Path(__file__).resolve().parent.parent
RESULTS = generate.DATA_DIR / "results.json"
REPORT = ROOT / "BENCHMARKS.md"
PEERS = str(Path(__file__).resolve().parent / "peers.py")
PY = sys.executable
#: the `redline` script installed beside this interpreter, as a user of this environment runs it
#: (not a version manager's shim, whose own start-up is not ours); else the module
_SCRIPT = Path(PY).parent / "redline"
REDLINE = [str(_SCRIPT)] if _SCRIPT.exists() else [PY, "-m", "redline"]

#: repeats: as many as ``repeat`` for runs under FAST s, 3 under SLOW s, else one
FAST, SLOW = 1.0, 10.0
#: clause lengths (words) of the word-diff rows (``bench/worddiff.py``)
WORD_DIFF_SIZES = (100_000, 400_000, 1_000_000)
#: redline's own commands are stopped after this long (reported as "> N s"), to keep the run near 15 min
OURS_CAP = 120


@dataclass
class Measurement:
    name: str
    size: int
    times: list[float] = field(default_factory=list)
    rss_kb: int = 0
    rc: int | None = None
    timed_out: float | None = None  # the cap, if the run was stopped
    error: str | None = None
    info: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None


#: GNU time, if present, starts each measured command from a process of its own (~2 MB), so the
#: peak memory reported is the command's; a process forked from this runner would carry the
#: runner's own peak into ru_maxrss (Linux records the old image's high-water mark at exec)
GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() else None


def run_once(cmd: list[str], timeout: float, cwd: Path) -> tuple[float, int, int, bool, str, str]:
    """Run ``cmd``; return (seconds, peak RSS in KB, exit code, timed out, stdout, stderr tail)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(suffix=".rss") as rss_file:
        wrapped = [GNU_TIME, "-q", "-f", "%M", "-o", rss_file.name] + cmd if GNU_TIME else cmd
        t0 = time.perf_counter()
        p = subprocess.Popen(wrapped, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                             start_new_session=True)
        killed = threading.Event()

        def kill():
            killed.set()
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        elapsed = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        peak = usage.ru_maxrss
        if GNU_TIME:
            try:
                peak = int(Path(rss_file.name).read_text().split()[-1])
            except (ValueError, IndexError, OSError):
                pass  # stopped at the cap: keep wait4's figure
        out.seek(0)
        err.seek(0)
        return (elapsed, peak, p.returncode, killed.is_set(),
                out.read().decode("utf-8", "replace")[-2000:], err.read().decode("utf-8", "replace")[-600:])


def measure(name: str, size: int, cmd: list[str], repeat: int, timeout: float, ok_codes=(0,),
            cwd: Path = ROOT) -> Measurement:
    m = Measurement(name, size)
    for i in range(repeat):
        t, rss, rc, timed_out, out, err = run_once(cmd, timeout, cwd)
        m.rss_kb = max(m.rss_kb, rss)
        m.rc = rc
        if timed_out:
            m.timed_out = timeout
            break
        if rc not in ok_codes:
            m.error = (err.strip().splitlines() or [f"exit {rc}"])[-1][:300]
            break
        m.times.append(t)
        if out.strip().startswith("{"):
            m.info = out.strip().splitlines()[-1][:200]
        if t > SLOW or (t > FAST and i >= 2):
            break
    status = (f"> {m.timed_out:.0f} s (stopped)" if m.timed_out else f"ERROR {m.error}" if m.error
              else f"{m.median:.3f} s")
    print(f"  {name:<34} {size:>6}  {status:<22} {m.rss_kb / 1024:7.1f} MB  x{len(m.times)}", file=sys.stderr, flush=True)
    return m


def precompile(root: Path) -> None:
    """Byte-compile ``root``'s package, as ``pip install`` does for a user, and let the measured
    processes keep their byte code: with ``PYTHONDONTWRITEBYTECODE`` set (many containers set it)
    every run would otherwise compile redline's ~100 modules from source again (~0.2 s)."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([PY, "-m", "compileall", "-q", str(root / "redline")], check=False,
                   stdout=subprocess.DEVNULL)


# --------------------------------------------------------------------------- the plan

def ours(d: Path, out: Path, redline: list[str] = REDLINE, py: str = PY,
         peers: str = PEERS) -> list[tuple[str, list[str], tuple[int, ...]]]:
    """(name, command, accepted exit codes) of redline's own measurements on corpus ``d``, run by
    the ``redline`` script, interpreter and ``peers`` helper given (this checkout's by default)."""
    c = ["--corpus", str(d)]
    cold = ["env", "REDLINE_CACHE_DIR=off"]
    return [
        ("load 1.0 (library, validated)", cold + [py, peers, "redline-load", str(d)], (0,)),
        ("load 1.0 (library, validation cached)", [py, peers, "redline-load", str(d)], (0,)),
        ("diff 1.0 1.0 (no change)", redline + ["diff", "1.0", "1.0", "--no-color", "-o", str(out / "d0.txt")] + c, (0,)),
        ("diff 1.0 1.1 (text)", redline + ["diff", "1.0", "1.1", "--no-color", "-o", str(out / "d.txt")] + c, (0,)),
        ("diff 1.0 1.2 (10x the changes)", redline + ["diff", "1.0", "1.2", "--no-color", "-o", str(out / "d10.txt")] + c, (0,)),
        ("diff 1.0 1.1 --format json", redline + ["diff", "1.0", "1.1", "--format", "json", "-o", str(out / "d.json")] + c, (0,)),
        ("diff 1.0 1.1 --format html", redline + ["diff", "1.0", "1.1", "--format", "html", "-o", str(out / "d.html")] + c, (0,)),
        ("diff 1.0 1.1 --format docx --context all", redline + ["diff", "1.0", "1.1", "--format", "docx", "--context", "all",
                                                       "-o", str(out / "d.docx")] + c, (0,)),
        ("apply BM001 (section-sized)", redline + ["apply", "BM001", "-o", str(out / "apply.xml")] + c, (0,)),
        ("check (50 modifications)", redline + ["check"] + c, (0, 1)),
        ("check, validation cache off (a fresh clone)", cold + redline + ["check"] + c, (0, 1)),
        ("xref 1.0 (whole version)", redline + ["xref", "1.0", "-o", str(out / "x.txt")] + c, (0, 1)),
        ("xref 1.0 --format json", redline + ["xref", "1.0", "--format", "json", "-o", str(out / "x.json")] + c, (0, 1)),
        ("annex BM001 --format docx", redline + ["annex", "BM001", "--format", "docx", "-o", str(out / "a.docx")] + c, (0,)),
        ("annex BM001 --format html", redline + ["annex", "BM001", "--format", "html", "-o", str(out / "a.html")] + c, (0,)),
        ("annex BM003 --format docx (small)", redline + ["annex", "BM003", "--format", "docx", "-o", str(out / "a3.docx")] + c, (0,)),
        # what the cross-reference check of the result (annex refuses a broken reference) costs
        ("annex BM001 --format docx --allow-broken-refs", redline + ["annex", "BM001", "--format", "docx",
                                                                     "--allow-broken-refs", "-o", str(out / "ab.docx")]
         + c, (0,)),
        ("annex BM001 --format html --context part", redline + ["annex", "BM001", "--format", "html", "--context",
                                                                "part", "-o", str(out / "ap.html")] + c, (0,)),
        # the whole code out to Word and back in (the import reads the file the export row wrote)
        ("export 1.0 --format docx (whole version)", redline + ["export", "1.0", "--format", "docx", "--date",
                                                               "2024-01-01", "-o", str(export_docx(d))] + c, (0,)),
        ("import of that DOCX (every section)", redline + ["import", str(export_docx(d)), "-o",
                                                         str(out / f"imported-{d.name}")]
         + c, (0,)),
        # the same in one process (the default shares the building of the sections among the CPUs)
        ("import of that DOCX, one process (--jobs 1)", redline + ["import", str(export_docx(d)), "--jobs", "1", "-o",
                                                                  str(out / f"imported-1-{d.name}")]
         + c, (0,)),
        # reading BM001 back from the Annex A the two rows above wrote
        (IMPORT_ANNEX_DOCX, redline + ["import-annex", str(out / "a.docx"), "-o", str(out / "ia.xml")] + c, (0,)),
        ("import-annex BM001 (HTML)", redline + ["import-annex", str(out / "a.html"), "-o", str(out / "ih.xml")] + c, (0,)),
        ("release of the 50 modifications onto 1.0", redline + ["release", "all", "--onto", "1.0"] + c, (0, 1)),
    ] + _history_rows(d, c, redline) + _compare_rows(d, out, c, redline)


#: the row names the report's targets read
IMPORT_ANNEX_DOCX = "import-annex BM001 (DOCX, tracked)"
IMPORT_ANNEX_COMPARE = "import-annex of a Word compare of the whole code (python-redlines)"


def compare_docx(d: Path) -> Path | None:
    """``peer/compare.docx``: python-redlines' tracked-changes compare of the two peer DOCX files
    (1.0 and 1.1), made once per generated corpus; None if python-redlines is not installed."""
    path = d / "peer" / "compare.docx"
    if not path.exists():
        made = subprocess.run([PY, PEERS, "python-redlines", str(d), "1.0", "1.1", str(path)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if made.returncode != 0 or not path.exists():
            return None
    return path


def _compare_rows(d: Path, out: Path, c: list[str], redline: list[str]) -> list[tuple[str, list[str], tuple[int, ...]]]:
    """``import-annex`` of the whole-code Word compare (when python-redlines could make it)."""
    path = d / "peer" / "compare.docx"
    if not path.exists():
        return []
    return [(IMPORT_ANNEX_COMPARE, redline + ["import-annex", str(path), "--base", "1.0", "-o", str(out / "ic.xml")]
             + c, (0,))]


def _history_rows(d: Path, c: list[str], redline: list[str]) -> list[tuple[str, list[str], tuple[int, ...]]]:
    """``redline log`` and ``show --blame`` of the generated history's tracked clause (20 versions)."""
    hist = json.loads((d / "edits.json").read_text()).get("history")
    if not hist:
        return []
    clause, last = hist["clause"], hist["versions"][-1]
    n = len(hist["versions"])
    return [(f"log one clause over {n} versions", redline + ["log", clause] + c, (0,)),
            (f"show --blame, one clause over {n} versions", redline + ["show", last, clause, "--blame"] + c, (0,))]


def export_docx(d: Path) -> Path:
    """Where the whole-version DOCX export of corpus ``d`` is written (read by the import rows):
    beside the corpus, since nothing may be written inside the corpus being read."""
    return d.parent / f"{d.name}-export-1.0.docx"


def pandoc_binary() -> str | None:
    """The pandoc that ``pypandoc-binary`` ships (or one on PATH), for the DOCX-reader peer row."""
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError):
        return shutil.which("pandoc")


def peers(d: Path, size: int, largest: int) -> list[tuple[str, list[str], tuple[int, ...], float]]:
    """(name, command, accepted exit codes, cap in seconds) of the peers on corpus ``d``."""
    small = size <= 1000
    p = d / "peer"
    return [
        ("floor: python + lxml parse of both", [PY, PEERS, "floor", str(d)], (0,), 60),
        ("xmldiff fast_match (per section file)", [PY, PEERS, "xmldiff", str(d)], (0,), 240 if size == largest else 120),
        ("difflib unified_diff (lines)", [PY, PEERS, "difflib-lines", str(d)], (0,), 60),
        ("difflib SequenceMatcher (words)", [PY, PEERS, "difflib-words", str(d)], (0,), 60 if small else 20),
        ("diff-match-patch (whole text)", [PY, PEERS, "dmp", str(d)], (0,), 60),
        ("git diff --no-index --word-diff", ["git", "diff", "--no-index", "--word-diff", str(p / "old.txt"),
                                             str(p / "new.txt")], (0, 1), 60),
        ("redlines (whole text)", [PY, PEERS, "redlines", str(d)], (0,), 30 if small else 15),
        ("python-redlines (DOCX, Docxodus)", [PY, PEERS, "python-redlines", str(d)], (0,), 240),
        # readers of the whole-version DOCX that redline's import reads
        ("docx2python (the export DOCX)", [PY, PEERS, "docx2python", str(d)], (0,), 120),
    ] + ([("pandoc -f docx -t plain (the export DOCX)", [pandoc_binary(), "-f", "docx", "-t", "plain",
                                                         str(export_docx(d)), "-o", os.devnull], (0,), 120)]
         if pandoc_binary() else [])


# --------------------------------------------------------------------------- machine

def machine() -> dict:
    import importlib.metadata as md

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    except OSError:
        pass
    libs = {}
    for name in ("redline", "lxml", "python-docx", "diff-match-patch", "click", "jinja2", "xmldiff", "redlines",
                 "python-redlines", "python-redlines-docxodus"):
        try:
            libs[name] = md.version(name)
        except md.PackageNotFoundError:
            libs[name] = "not installed"
    git = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": mem, "python": platform.python_version(),
            "platform": platform.platform(), "libraries": libs, "git": git,
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


# --------------------------------------------------------------------------- run

def run(sizes: list[int], repeat: int, with_peers: bool, rows: str | None = None) -> dict:
    """Measure every row at every size (only redline's own rows whose name contains ``rows``, if
    given: then the start-up, word-diff and peer rows are left out)."""
    results: dict = {"machine": machine(), "sizes": sizes, "data": {}, "measurements": []}
    largest = max(sizes)
    out = Path(tempfile.mkdtemp(prefix="redline-bench-"))
    try:
        print("start-up", file=sys.stderr)
        starts = [] if rows is not None else [("redline --help", REDLINE + ["--help"]), ("python -c pass", [PY, "-c", "pass"])]
        for name, cmd in starts:
            results["measurements"].append(asdict(measure(name, 0, cmd, max(repeat, 5), 30)))
        print("word diff of one long clause", file=sys.stderr)
        for words in WORD_DIFF_SIZES if rows is None else ():  # the diff's own time is in the row's info (text generation not counted)
            results["measurements"].append(asdict(measure(f"word diff of one clause ({words:,} words)", 0,
                                                          [PY, "-m", "bench.worddiff", str(words)], 1, 120)))
        for size in sizes:
            d = generate.generate(size)
            stats = json.loads((d / "edits.json").read_text())["stats"]
            stats["version_bytes"] = {vid: sum(f.stat().st_size for f in (d / "versions" / vid).glob("*.xml"))
                                      for vid in (generate.BASE, generate.NEW, generate.NEW10)}
            results["data"][str(size)] = stats
            print(f"size {size}: {stats['clauses']} clauses, {stats['words']} words", file=sys.stderr)
            # every file validated once (as any first use does), so that the medians are of warm runs;
            # the rows marked "validation cache off" show the cold cost
            subprocess.run([PY, PEERS, "redline-warm", str(d)], check=True, stdout=subprocess.DEVNULL)
            cmp_docx = compare_docx(d) if with_peers else None
            if cmp_docx is not None:
                with zipfile.ZipFile(cmp_docx) as z:
                    stats["compare_docx"] = {"bytes": cmp_docx.stat().st_size,
                                             "unpacked": sum(i.file_size for i in z.infolist())}
            for name, cmd, ok in ours(d, out):
                if rows is not None and rows not in name:
                    continue
                results["measurements"].append(asdict(measure(name, size, cmd, repeat, OURS_CAP, ok)))
            if export_docx(d).exists():  # the import target is set against the DOCX's unpacked size
                with zipfile.ZipFile(export_docx(d)) as z:
                    stats["export_docx_unpacked"] = sum(i.file_size for i in z.infolist())
            if with_peers and rows is None:
                for name, cmd, ok, cap in peers(d, size, largest):
                    results["measurements"].append(asdict(measure(name, size, cmd, repeat, cap, ok)))
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return results


def main(argv: list[str] | None = None) -> int:
    # the validation cache of the runs lives with the generated data, not in the user's home
    os.environ["REDLINE_CACHE_DIR"] = str(generate.DATA_DIR / "cache")
    precompile(ROOT)
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default=",".join(map(str, generate.SIZES)), help="comma-separated clause counts")
    ap.add_argument("--repeat", type=int, default=5, help="runs per measurement (median kept; fewer for slow ones)")
    ap.add_argument("--no-peers", action="store_true", help="measure redline only")
    ap.add_argument("--rows", metavar="TEXT", help="measure again only redline's rows whose name contains TEXT "
                    "(every size asked for), keeping the other results of the last run")
    ap.add_argument("--render", action="store_true", help="only rewrite BENCHMARKS.md from bench/data/results.json")
    ap.add_argument("--report", type=Path, default=REPORT)
    args = ap.parse_args(argv)
    from bench import report

    if args.render:
        results = json.loads(RESULTS.read_text())
    else:
        t0 = time.time()
        results = run([int(s) for s in args.sizes.split(",")], args.repeat, not args.no_peers, args.rows)
        if args.rows is not None:  # merged into the last full run's results
            fresh = results["measurements"]
            results = json.loads(RESULTS.read_text())
            again = {(m["name"], m["size"]) for m in fresh}
            results["measurements"] = [m for m in results["measurements"] if (m["name"], m["size"]) not in again] + fresh
            results["remeasured"] = sorted({m["name"] for m in fresh})
        else:
            results["wall_seconds"] = round(time.time() - t0)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=1))
    args.report.write_text(report.render(results), encoding="utf-8")
    print(f"wrote {args.report}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
