"""The report's evidence: which calibration the scenarios' numbers rest on (the built-in fits
of published measurements, and any profile of the user's own), with the error per group."""

from __future__ import annotations

from app.report.tables import table, text
from planner_core.plan import Plan


def evidence(plan: Plan, scenarios: list[str]) -> str:
    from planner_core.engine.calibration import default_calibration

    parts = ["<h2>Evidence</h2>",
             '<p class="lead">What the performance figures were fitted on, and how far the '
             "fits miss the measurements they were fitted on (median and worst |error|).</p>"]
    used: dict[str, tuple] = {}
    for s in scenarios:
        ref = plan.variant(s).calibration_profile
        if ref is not None:
            used.setdefault(ref.sha256, (ref, []))[1].append(s)
    if not used:
        parts.append("<p>Every scenario uses the built-in calibration; no profile of your own "
                     "measurements.</p>")
    for sha, (ref, names) in used.items():
        p = ref.profile
        files = ", ".join(f"{f.get('name', '?')} (sha256 {str(f.get('sha256', ''))[:12]}…)"
                          for f in p.get("cases_files", []))
        parts.append(
            f"<p>Calibration profile <b>{text(ref.name)}</b> (sha256 {sha[:16]}…), used by "
            f"{text(', '.join(names))}: fitted by {text(str(p.get('generated_by', '?')))} on "
            f"{text(files or 'cases not recorded')}, on top of the built-in calibration. "
            "Error per group, before (built-in) and after (profile):</p>")
        parts.append(table(
            ["Accelerator", "Model", "Engine", "Metric", "Cases", "Before", "After"],
            [[text(g["system"]), text(g["model"]), text(g["engine"]), text(g["metric"]),
              f"{g['cases']:,}", f"{g['before_median_abs_error_pct']:.1f}%",
              f"{g['after_median_abs_error_pct']:.1f}%"] for g in p.get("groups", [])],
            align="llllrrr", small=True))
    fits = default_calibration().doc.get("fits", {})
    parts.append("<p>The built-in calibration: one fit per serving engine and accelerator "
                 "family, on the published measurements shipped with the planner.</p>")
    parts.append(table(
        ["Engine / family", "Cases", "Models", "Median error", "Worst error"],
        [[text(pair), f"{len(f.get('cases', [])):,}", text(", ".join(f.get("models", []))),
          f"{float(f.get('median_abs_error_pct', 0)):.1f}%",
          f"{float(f.get('worst_abs_error_pct', 0)):.1f}%"] for pair, f in fits.items()],
        align="lrlrr", small=True, widths=[22, 8, 40, 15, 15]))
    return "".join(parts)
