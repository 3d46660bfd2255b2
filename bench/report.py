"""Render the benchmark sections as bench/RESULTS.md (Markdown tables, ours beside the baseline)."""

from __future__ import annotations

import math

from bench.harness import Context, Section


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
        lines += ["## Benchmarks that failed to run", ""]
        lines += ["```", *failures, "```", ""]
    return "\n".join(lines)
