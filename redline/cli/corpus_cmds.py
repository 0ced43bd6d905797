"""Commands that read the corpus: ``versions``, ``show`` and ``validate``."""

from __future__ import annotations

import json

import click

from redline.cli.common import corpus_option, format_option, handle_errors, write_output


@click.command()
@corpus_option
@format_option("text", "json")
@handle_errors
def versions(corpus, fmt):
    """List the versions in the corpus, oldest first, with what each holds.

    \b
    Example:
      redline versions
      redline versions --format json
    """
    rows = []
    for info in corpus.versions:
        v = corpus.load(info.id)
        held = []
        for part in v.nodes("part"):
            clauses = [c for c in part.children if c.kind == "clause"]
            span = f"{clauses[0].num}–{clauses[-1].num}" if clauses else "no clauses"
            held.append({"part": part.num, "coverage": part.coverage, "clauses": len(clauses), "span": span})
        rows.append({"id": info.id, "predecessor": info.predecessor, "date": info.date,
                     "modification": info.modification, "modifications": list(info.modifications),
                     "note": info.note,
                     "sections": info.sections, "parts": held})
    if fmt == "json":
        click.echo(json.dumps({"code": corpus.code, "versions": rows}, indent=2, ensure_ascii=False))
        return
    click.echo(f"{corpus.title} ({corpus.code}): {len(rows)} version(s)")
    for r in rows:
        after = f"  (after {r['predecessor']})" if r["predecessor"] else ""
        made = f", made by {r['modification']}" if r["modification"] else ""
        click.echo(f"\n{r['id']}{after}{made}")
        for p in r["parts"]:
            click.echo(f"  {p['part']:<5} {p['coverage']:<8} {p['clauses']:>3} clause(s)  {p['span']}")
        if r["note"]:
            click.echo(f"  {r['note']}")


@click.command()
@click.argument("version")
@click.argument("address")
@corpus_option
@format_option("text", "xml", "json")
@click.option("--blame", is_flag=True,
              help="Mark each run of words with the version (and modification) that last changed it.")
@handle_errors
def show(corpus, version, address, fmt, blame):
    """Print what ADDRESS said in VERSION: a clause, an item, a part or a section.

    With --blame, each run of words is marked with the version that last changed it (and the
    modifications the manifest says made that version), following the node back through
    renumberings; the oldest version held is marked "or earlier".

    \b
    Example:
      redline show 6.17 G3.20
      redline show 6.17 'G3.20(b)'
      redline show 5.23 G1 --format json
      redline show 6.17 G3.20 --blame
    """
    from lxml import etree

    from redline.errors import UnknownAddress
    from redline.model import Address
    from redline.render.text import node_to_dict, node_to_text

    addr = Address.parse(address)
    if blame and fmt != "xml" and addr.kind not in ("section", "part"):
        from redline.history import SectionTree

        # the history reads one section per version: do not load the whole version for it
        tree = SectionTree(version, addr.section, corpus.load_section(corpus.info(version).id, addr.section))
        if tree.find(addr) is not None:
            _show_blame(corpus, version, addr, fmt)
            return
    v = corpus.load(version)
    node = v.find(addr)
    if node is None:
        later = [i for i in corpus.version_ids if i != version and addr in corpus.load(i)]
        hint = f"it is held in version {', '.join(later)}" if later else ""
        hint = _hint_from_mods(corpus, addr, version) or hint
        raise UnknownAddress(str(addr), version, v.suggest(addr), hint)
    if blame:
        _show_blame(corpus, version, addr, fmt)
        return
    if fmt == "xml":
        write_output(etree.tostring(node.element, encoding="unicode", pretty_print=True), None)
    elif fmt == "json":
        out = node_to_dict(node)
        out["version"] = version
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        write_output(node_to_text(node), None)


def _show_blame(corpus, version, addr, fmt) -> None:
    from redline.cli.release_cmds import blame_for, blame_lines

    if fmt == "xml":
        raise click.UsageError("--blame shows text or JSON, not XML")
    if addr.kind in ("section", "part"):
        raise click.UsageError(f"--blame works on a clause, an item or a definition, not a {addr.kind} ({addr})")
    node = blame_for(corpus, version, addr)
    if fmt == "json":
        click.echo(json.dumps({"format": "redline-blame", "format_version": 1, "version": version,
                               "node": node.to_dict()}, indent=2, ensure_ascii=False))
    else:
        click.echo("\n".join(blame_lines(node)))


def _hint_from_mods(corpus, addr, version) -> str:
    """If a modification in the corpus adds ``addr``, say which ('' if none)."""
    from redline.mods import modifications_adding

    adders = modifications_adding(corpus, addr)
    return f"it is added by {', '.join(adders)}" if adders else ""


@click.command("validate")
@corpus_option
@handle_errors
def validate_cmd(corpus):
    """Validate every version of the corpus against the schema.

    Every file is checked in full, whatever the validation cache says (other commands skip
    files whose exact bytes already passed).

    \b
    Example:
      redline validate --corpus corpus/
    """
    for info in corpus.versions:
        v = corpus.load(info.id, use_cache=False)
        click.echo(f"{info.id}: ok ({sum(1 for _ in v.clauses())} clauses)")
