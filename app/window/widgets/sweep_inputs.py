"""What the What-if panel offers to sweep for a plan: each workload's traffic, token lengths,
TPOT limit and precision, each pool's system, layout, batch cap and serving, the systems'
prices and the facility's money and PUE, with default values around the plan's own."""

from __future__ import annotations


def sweep_inputs(plan, catalog) -> list[tuple[str, str, str]]:
    """(label, path, default values) for every input of ``plan`` worth sweeping."""
    out = []
    for w in plan.workloads:
        k = f"workloads.{w.name}"
        peak = w.traffic.peak_rps
        out += [
            (f"{w.name}: peak requests/s", f"{k}.traffic.peak_rps",
             f"{peak * 0.25:.6g}:{peak * 3:.6g}:60"),
            (f"{w.name}: prompt tokens", f"{k}.input_tokens.mean",
             ",".join(str(int(max(1, w.input_tokens.mean * f)))
                      for f in (0.25, 0.5, 1, 2, 4, 8))),
            (f"{w.name}: answer tokens", f"{k}.output_tokens.mean",
             ",".join(str(int(max(1, w.output_tokens.mean * f)))
                      for f in (0.25, 0.5, 1, 2, 4))),
            (f"{w.name}: p99 TPOT SLO (ms)", f"{k}.slo.tpot_p99_ms", "5:100:40"),
            (f"{w.name}: weight precision", f"{k}.weight_precision", "bf16,fp8,fp4"),
        ]
    for p in plan.pools:
        k = f"pools.{p.name}"
        system = catalog.system(p.system)
        tps = [t for t in (1, 2, 4, 8, 16, 32, 64) if t <= system.scaleup_domain]
        out += [(f"{p.name}: system", f"{k}.system", ",".join(catalog.systems))]
        if p.count is None and not p.layout.mig:
            out += [(f"{p.name}: tensor parallel", f"{k}.layout.tp", ",".join(map(str, tps))),
                    (f"{p.name}: target utilization", f"{k}.target_utilization",
                     "0.3:1:36")]
        out += [(f"{p.name}: batch cap", f"{k}.layout.max_batch",
                 "8,16,32,64,128,256,512,1024,2048")]
        out += [(f"{p.name}: serving mode", f"{k}.serving", "aggregated,disaggregated")]
        if not system.rented:
            price = system.price_usd.value
            out += [(f"{system.id}: price (USD)", f"catalog.systems.{system.id}.price_usd",
                     f"{price * 0.5:.6g}:{price * 1.5:.6g}:41")]
    out += [("facility: electricity (USD/kWh)", "facility.electricity_usd_per_kwh",
             "0:0.4:41"),
            ("facility: PUE", "facility.pue", "1.05:2:39"),
            ("facility: cost of capital", "facility.cost_of_capital", "0:0.2:41"),
            ("facility: amortization (years)", "facility.amortization_years", "2:8:25")]
    return out
