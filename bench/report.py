"""Render the benchmark sections as bench/RESULTS.md (Markdown tables, ours beside the baseline)."""

from __future__ import annotations

import math

from bench.harness import Context, Section

FAILURES = "Benchmarks that failed to run"
STAMP = "- **re-measured "


def _fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def render(info: dict[str, str], ctx: Context, sections: list[Section], failures: list[str],
           note: str = "") -> str:
    mode = "tiny smoke run" if ctx.tiny else ("quick run: 1 round, small inputs" if ctx.quick
                                              else f"median of {ctx.rounds} rounds")
    lines = ["# govbudget benchmarks", "",
             "Written by `.venv/bin/python -m bench` (see bench/README.md).", ""]
    lines += [f"- **{k}**: {v}" for k, v in info.items()]
    lines += [f"- **mode**: {mode}; ours and the baseline alternate within each round"]
    if note:
        lines += [f"- **note**: {note}"]
    lines.append("")
    for s in sections:
        lines += [f"## {s.name}", "", s.what, "",
                  "| figure | ours | baseline | baseline is | ratio | target | met |",
                  "|---|---:|---:|---|---:|---|---|"]
        for r in s.rows:
            met = "" if r.met is None else ("yes" if r.met else "**no**")
            lines.append(f"| {r.metric} ({r.unit}) | {_fmt(r.ours)} | {_fmt(r.baseline)} | "
                         f"{r.baseline_name} | {_fmt(r.ratio)} | {r.target} | {met} |")
        lines.append("")
        lines += [f"- {n}" for n in s.notes]
        lines.append("")
    if failures:
        lines += [f"## {FAILURES}", ""]
        lines += ["```", *failures, "```", ""]
    return "\n".join(lines)


def _split(text: str) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """A report's header lines and its ``## `` sections, each as (title, lines)."""
    header: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("## "):
            sections.append((line[3:].strip(), [line]))
        elif sections:
            sections[-1][1].append(line)
        else:
            header.append(line)
    return header, sections


def merge(existing: str, fresh: str, info: dict[str, str], note: str = "") -> str:
    """Put the sections of a partial run (``--only``) into an earlier full report.

    Sections measured now replace their namesakes in place (new ones are appended); the others are
    kept as they were, and the header says which sections are newer and under what load they ran.
    """
    old_header, old_sections = _split(existing)
    new_header, new_sections = _split(fresh)
    modes = [ln.split("**: ", 1)[1].split(";")[0] for ln in new_header if ln.startswith("- **mode**")]
    mode = modes[0] if modes else "mode unknown"
    fresh_by_title = dict(new_sections)
    titles = [t for t, _ in new_sections if t != FAILURES]
    kept = [(t, fresh_by_title.pop(t, lines)) for t, lines in old_sections if t != FAILURES]
    kept += [(t, lines) for t, lines in new_sections if t in fresh_by_title]
    old_header = [ln for ln in old_header if not _stale_stamp(ln, titles)]
    while old_header and not old_header[-1].strip():
        old_header.pop()
    stamp = (f"{STAMP}{info['date']}**: {', '.join(titles)} (load average at start "
             f"{info['load average at start']}, {mode}, wall time {info.get('wall time', '?')}"
             + (f"; {note}" if note else "") + "); the other sections are from the run dated above")
    lines = [*old_header, stamp, ""]
    for _, body in kept:
        while body and not body[-1].strip():
            body = body[:-1]
        lines += [*body, ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _stale_stamp(line: str, titles: list[str]) -> bool:
    """An earlier re-measure line whose sections have all been measured again now."""
    if not line.startswith(STAMP) or "**: " not in line:
        return False
    listed = line.split("**: ", 1)[1].split(" (load average", 1)[0].split(", ")
    return set(listed) <= set(titles)
