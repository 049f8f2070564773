"""The roadmap: a plan's timeline run period by period — the cohorts of systems in service,
the capacity they give each workload against its demand, power against the power available,
and the money (CapEx when bought, OpEx, depreciation, NPV, $ per million tokens) — and the
cheapest sequence of purchases. Every period's fleet is evaluated by the engine itself."""
