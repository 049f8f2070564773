"""The report's last section: every catalog entry the plan uses, each figure with its source
and grade, so a reader can judge how firm each number is."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from app.figures import figure, number
from app.report.tables import table, text
from planner_core import Plan
from planner_core.catalog import Accelerator, Catalog, Model, Spec, System, builtin_catalog_files

#: Catalog figures: label and unit by field name. dense_tflops entries are labelled per key.
SPEC_FIELDS = {
    "memory_gb": ("Memory", "GB"),
    "memory_reported_gib": ("Memory the driver reports (what engines size from)", "GiB"),
    "memory_bw_gbs": ("Memory bandwidth", "GB/s"),
    "sram_mb": ("On-chip SRAM", "MB"),
    "sram_bw_tbs": ("SRAM bandwidth", "TB/s"),
    "tdp_w": ("Power at TDP", "W"),
    "idle_w": ("Idle power", "W"),
    "scaleup_bw_gbs": ("Scale-up bandwidth", "GB/s, one direction"),
    "scaleup_latency_us": ("Scale-up latency", "µs"),
    "price_usd": ("Price", "USD"),
    "rent_usd_per_hour": ("Rent", "USD per hour"),
    "host_power_w": ("Host power", "W"),
    "scaleout_gbps": ("Scale-out network", "Gb/s per system"),
    "max_power_w": ("Maximum power", "W"),
}
MODEL_FIELDS = [
    ("params_b", "Parameters", "billion"),
    ("active_params_b", "Active parameters per token", "billion"),
    ("layers", "Layers", ""),
    ("hidden", "Hidden size", ""),
    ("heads", "Attention heads", ""),
    ("kv_heads", "KV heads", ""),
    ("head_dim", "Head dimension", ""),
    ("ffn", "FFN width", ""),
    ("vocab", "Vocabulary", "tokens"),
    ("max_context", "Maximum context", "tokens"),
]
GRADES = ("P primary (vendor datasheet, MLCommons system description, official repository) · "
          "S secondary (press, wiki, a blog summarising a vendor) · S? secondary and weak or "
          "conflicting · claim: a vendor's claim, not independently measured · derived: "
          "arithmetic on sourced figures · assumption: no public figure found, our stated "
          "assumption")



def used_entries(plan: Plan, catalog: Catalog, scenarios: list[str]):
    """Systems, accelerators and models any scenario uses, each once, in a stable order."""
    systems: dict[str, System] = {}
    accelerators: dict[str, Accelerator] = {}
    models: dict[str, Model] = {}
    for s in scenarios:
        variant = plan.variant(s)
        for pool in variant.pools:
            system = catalog.system(pool.system)
            systems[system.id] = system
            accelerators[system.accelerator] = catalog.accelerator(system.accelerator)
        for w in variant.workloads:
            model = catalog.model(w.model)
            models[model.id] = model
    return list(systems.values()), list(accelerators.values()), list(models.values())


def catalog_figures(plan: Plan, catalog: Catalog, scenarios: list[str]) -> str:
    systems, accelerators, models = used_entries(plan, catalog, scenarios)
    out = ['<p class="lead">Every catalog figure the plan uses in any scenario, with its '
           "public source and grade.</p>",
           f'<p class="small">Grades: {text(GRADES)}.</p>']
    if systems:
        out.append("<h2>Systems</h2>")
        out += [_system(s, catalog) for s in systems]
    if accelerators:
        out.append("<h2>Accelerators</h2>")
        out += [_accelerator(a, catalog) for a in accelerators]
    if models:
        out.append("<h2>Models</h2>")
        out += [_model(m, catalog) for m in models]
    return "".join(out)


def _entry_heading(entry, catalog: Catalog, facts: list[str]) -> str:
    status = getattr(entry, "status", "shipping")
    if status != "shipping":
        facts.append(status)
    origin = catalog.origin.get(entry.id, "built-in")
    if origin != "built-in" and Path(origin) not in builtin_catalog_files():
        facts.append(f"from the user catalog {origin}")
    notes = f"<br>{text(entry.notes)}" if getattr(entry, "notes", None) else ""
    return (f"<h3>{text(entry.name)} <span class=\"small\">({text(entry.id)})</span></h3>"
            f'<p class="small">{text(" · ".join(facts))}{notes}</p>')


def _spec_rows(entry: BaseModel) -> list[list[str]]:
    """Every sourced figure of a catalog entry, in the catalog's field order.

    Fields are found by type rather than listed, so a figure added to the catalog later
    still reaches the report (labelled by its field name until it gets a label here).
    """
    rows, previous = [], None
    for name in type(entry).model_fields:
        value = getattr(entry, name)
        specs = []
        if isinstance(value, Spec):
            specs.append((*SPEC_FIELDS.get(name, (name.replace("_", " "), "")), value))
        elif isinstance(value, dict) and value and all(isinstance(v, Spec)
                                                        for v in value.values()):
            specs += [(f"Dense compute, {key.upper()}",
                       "TOPS" if key.startswith("int") else "TFLOPS", spec)
                      for key, spec in value.items()]
        for label, unit, spec in specs:
            rows.append(_spec_row(label, unit, spec, same_source=spec.source == previous))
            previous = spec.source
    mig = getattr(entry, "mig", None)
    if mig is not None:
        profiles = ", ".join(p.name for p in mig.profiles)
        rows.append(["MIG profiles", number(len(mig.profiles)), "profiles", text(mig.grade),
                     f'{text(mig.source)}<br><span class="small">{text(profiles)}</span>'])
    return rows


def _spec_row(label: str, unit: str, spec: Spec, same_source: bool = False) -> list[str]:
    # A source repeated row after row (one datasheet for every FLOPS figure) is said once.
    source = '<span class="small">same source as above</span>' if same_source \
        else text(spec.source)
    note = f'<br><span class="small">{text(spec.note)}</span>' if spec.note else ""
    return [text(label), figure(spec.value), text(unit), text(spec.grade), source + note]


SPEC_HEADER = ["Figure", "Value", "Unit", "Grade", "Source"]
SPEC_WIDTHS = [19, 11, 11, 7, 52]


def _system(s: System, catalog: Catalog) -> str:
    form = "a whole rack" if s.form == "rack" else f"{s.rack_units} U server"
    facts = [s.vendor, f"{number(s.accelerators)} × {s.accelerator}", form,
             f"{s.cooling}-cooled", f"scale-up domain {number(s.scaleup_domain)} accelerators"]
    return (_entry_heading(s, catalog, facts)
            + table(SPEC_HEADER, _spec_rows(s), align="lrlcl", small=True, widths=SPEC_WIDTHS))


def _accelerator(a: Accelerator, catalog: Catalog) -> str:
    facts = [a.vendor, f"{a.architecture.upper()}-resident weights", f"family {a.family}",
             "precisions " + ", ".join(a.precisions)]
    return (_entry_heading(a, catalog, facts)
            + table(SPEC_HEADER, _spec_rows(a), align="lrlcl", small=True, widths=SPEC_WIDTHS))


def _model(m: Model, catalog: Catalog) -> str:
    facts = [f"{m.kv_layout.upper()} attention"]
    if m.aliases:
        facts.append("also " + ", ".join(m.aliases))
    rows = [[text(label), figure(getattr(m, name)), text(unit)]
            for name, label, unit in MODEL_FIELDS]
    if m.moe is not None:
        rows += [["Experts (active / total)",
                  f"{m.moe.active_experts} / {m.moe.experts}", ""],
                 ["Shared experts", figure(m.moe.shared_experts), ""],
                 ["Expert FFN width", figure(m.moe.expert_ffn), ""],
                 ["MoE layers / dense layers",
                  f"{m.moe.moe_layers} / {m.moe.dense_layers}", ""]]
    if m.mla is not None:
        rows += [["MLA KV rank", figure(m.mla.kv_lora_rank), ""],
                 ["MLA RoPE dimension", figure(m.mla.rope_dim), ""]]
    # One source covers the model's whole architecture: its cells span every row.
    return (_entry_heading(m, catalog, facts)
            + table(SPEC_HEADER, rows, align="lrlcl", small=True, widths=SPEC_WIDTHS,
                    spanning=[text(m.grade), text(m.source)]))
