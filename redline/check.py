"""Check modifications: does each apply, as drafted, and give a valid version?

:func:`check_modification` applies a modification to its base version (and, when asked, onto
another version), validates the result against the corpus schema and then runs the pluggable
checks, returning a :class:`CheckResult`: a list of :class:`Problem` values (severity ``error``
or ``note``), each naming the modification file, the line of the operation at fault and the
address concerned. It never prints and never raises for a modification that fails; the CLI
(``redline check``) renders the results as text, JSON or GitHub workflow annotations.

Extra checks plug in without touching this module's logic: add ``"module:function"`` to
:data:`CHECKS` (imported lazily, like the CLI's commands) or call :func:`register_check`.
A check is called as ``fn(context)`` with a :class:`CheckContext` (after a successful apply) and
returns an iterable of :class:`Problem`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, replace
from typing import Callable, Iterable

from redline.apply import ApplyResult, Failure, apply_modification
from redline.errors import ApplyError, RedlineError
from redline.model import Version
from redline.xref import NEW_BROKEN, NEW_HEADING, NEW_OUTSIDE, STALE, Finding
from redline.xref import check_modification as reference_findings

#: severities a problem can have; only errors make a check fail
SEVERITIES = ("error", "note")

#: pluggable checks run after every successful apply, as "module:function" (imported lazily)
CHECKS: list[str] = [
    "redline.check:check_source",
    "redline.check:check_references",
    "redline.check:check_numbering",
]

_registered: list[Callable] = []


@dataclass(frozen=True)
class Problem:
    """One thing wrong with (``error``) or worth knowing about (``note``) a modification."""

    severity: str
    message: str
    address: str | None = None
    file: str | None = None
    line: int | None = None
    code: str = "error"

    def __post_init__(self):
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, not {self.severity!r}")

    def __str__(self) -> str:
        where = self.file or ""
        if where and self.line:
            where += f":{self.line}"
        return f"{where}: {self.message}" if where else self.message

    def to_dict(self) -> dict:
        return {"severity": self.severity, "code": self.code, "message": self.message,
                "address": self.address, "file": self.file, "line": self.line}


@dataclass(frozen=True)
class CheckResult:
    """What checking one modification found; ``ok`` when there is no error."""

    modification: str
    file: str | None
    versions: tuple[str, ...]
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def to_dict(self) -> dict:
        return {"modification": self.modification, "file": self.file, "versions": list(self.versions),
                "ok": self.ok, "problems": [p.to_dict() for p in self.problems]}


@dataclass(frozen=True)
class CheckContext:
    """What a pluggable check receives: the modification applied to ``version`` gave ``result``."""

    corpus: object
    modification: object
    version: Version
    result: ApplyResult

    def problem(self, message: str, severity: str = "error", address=None, index: int | None = None,
                code: str = "check") -> Problem:
        """A Problem located at the modification file (and the line of operation ``index``)."""
        mod = self.modification
        return Problem(severity, message, str(address) if address is not None else None,
                       mod.file, mod.line_of(index), code)


def register_check(fn: Callable[[CheckContext], Iterable[Problem]]) -> Callable:
    """Add ``fn`` to the checks run after every successful apply (usable as a decorator)."""
    if fn not in _registered:
        _registered.append(fn)
    return fn


def plugged_checks() -> list[Callable]:
    """The pluggable checks: :data:`CHECKS` (imported now) then those registered."""
    out = []
    for target in CHECKS:
        module, attr = target.split(":")
        out.append(getattr(importlib.import_module(module), attr))
    return out + [fn for fn in _registered if fn not in out]


def failure_problem(mod, failure: Failure, version_id: str, onto: bool) -> Problem:
    """A Problem for one apply failure, at the line of its operation.

    Onto another version than the base, the base mismatch that apply reports beside the real
    failures is context for them (a note), not one more error: asking for ``--onto`` is asking
    to apply it elsewhere."""
    message = str(failure)
    severity = "error"
    if onto:
        message = f"onto {version_id}: {message}"
        if failure.kind == "base-mismatch":
            severity = "note"
    return Problem(severity, message, str(failure.address) if failure.address else None, mod.file,
                   mod.line_of(failure.index), failure.kind)


def check_modification(corpus, mod, onto: str | None = None) -> CheckResult:
    """Apply ``mod`` to its base (and onto version ``onto``), validate, and run the checks.

    An unknown ``onto`` version raises :class:`~redline.errors.UnknownVersion` (bad usage);
    everything wrong with the modification itself comes back as problems.
    """
    if onto is not None:
        corpus.info(onto)
    targets = [mod.base] + ([onto] if onto is not None and onto != mod.base else [])
    problems: list[Problem] = []
    for vid in targets:
        is_onto = vid != mod.base
        try:
            version = corpus.load(vid)
        except RedlineError as exc:
            problems.append(Problem("error", f"cannot load version {vid}: {exc}", None, mod.file, mod.line,
                                    "base-missing"))
            continue
        try:
            result = apply_modification(version, mod, onto=is_onto)
        except ApplyError as exc:
            problems += [failure_problem(mod, f, vid, is_onto) for f in exc.failures]
            continue
        context = CheckContext(corpus, mod, version, result)
        for check in plugged_checks():
            try:
                found = list(check(context) or ())
            except RedlineError as exc:
                found = [context.problem(f"{getattr(check, '__name__', check)}: {exc}")]
            if is_onto:
                found = [replace(p, message=f"onto {vid}: {p.message}") for p in found]
            problems += found
    return CheckResult(mod.id, mod.file, tuple(targets), tuple(problems))


def check_source(context: CheckContext) -> list[Problem]:
    """The modification's ``source`` metadata must name a source of the corpus manifest."""
    source = context.modification.meta.get("source")
    sources = getattr(context.corpus, "sources", {})
    if source and source not in sources:
        known = ", ".join(sorted(sources)) or "none"
        return [context.problem(f"metadata source {source!r} is not a source of the corpus manifest "
                                f"(known: {known})", code="unknown-source")]
    return []


#: the severity of a reference finding (:class:`redline.xref.Finding`) as a Problem (only errors
#: fail a check)
REFERENCE_SEVERITY = {"failure": "error", "warning": "note", "note": "note"}
REFERENCE_CODE = {STALE: "xref-stale", NEW_BROKEN: "xref-broken", NEW_OUTSIDE: "xref-outside",
                  NEW_HEADING: "xref-heading"}


def check_references(context: CheckContext) -> list[Problem]:
    """What the modification does to cross-references (:func:`redline.xref.check_modification`):
    broken references are errors, references outside the corpus and heading mismatches notes."""
    mod, res = context.modification, context.result
    findings = reference_findings(context.version, res.version, res.address_map, res.changed, mod.id)
    return [context.problem(f.message, REFERENCE_SEVERITY[f.severity], f.holder, _operation_index(mod, f),
                            REFERENCE_CODE[f.kind]) for f in findings]


def _operation_index(mod, finding: Finding) -> int | None:
    """The index of the operation a finding comes from (the deletion or renumbering of its
    target, or the operation writing its words), for the file line in messages."""
    ops = list(getattr(mod, "operations", ()))
    if finding.kind == STALE and finding.reference is not None:
        for a in finding.reference.addresses:
            for i, op in enumerate(ops):
                if op.kind in ("delete", "renumber", "move") and a.is_within(op.target):
                    return i
    clause = finding.holder.clause_address or finding.holder
    for i, op in enumerate(ops):
        if clause in op.clause_addresses():
            return i
    return None


def check_numbering(context: CheckContext) -> list[Problem]:
    """A note for each clause the modification adds straight after one whose number is not the one
    before it, in a part held only in part (where the missing number may exist, unheld: in a part
    held complete, apply refuses the gap). "G1.12 follows G1.10: G1.11 is not held in 6.17 …"."""
    import re

    from redline.model import clause_address

    result, base = context.result.version, context.version
    out = []
    for address in context.result.changed:
        if address in base or address.kind != "clause":
            continue
        m = re.fullmatch(r"(.+)\.(\d+)", str(address))
        if m is None or base.coverage_of(address) != "partial":
            continue
        clauses = [c.address for c in result.outline(address.section).clauses]
        i = clauses.index(address) if address in clauses else -1
        prev = clauses[i - 1] if i > 0 and clauses[i - 1].part == address.part else None
        p = re.fullmatch(r"(.+)\.(\d+)", str(prev)) if prev is not None else None
        first = int(p.group(2)) + 1 if p else 1
        missing = [f"{m.group(1)}.{n}" for n in range(first, int(m.group(2)))
                   if clause_address(f"{m.group(1)}.{n}") not in base]
        if not missing:
            continue
        span = missing[0] if len(missing) == 1 else f"{missing[0]} to {missing[-1]}"
        index = next((j for j, op in enumerate(context.modification.operations) if address in op.creates()), None)
        out.append(context.problem(
            f"{address} follows {prev or 'the start of ' + str(address.part)}: {span} "
            f"{'is' if len(missing) == 1 else 'are'} not held in version {base.id} ({address.part} is held only "
            f"in part); if {'it does' if len(missing) == 1 else 'they do'} not exist, number the new clause "
            f"{missing[0]}", "note", address, index, code="numbering-gap"))
    return out
