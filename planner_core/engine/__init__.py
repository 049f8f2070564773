"""The engine: from a plan and the catalog to every figure the planner shows.

A replica's hardware and model shape (``replica``), what fits in memory (``memory``), how long
prefill and a decode step take (``step_times``) at the efficiencies of ``calibration``, serving
under load with continuous batching (``serving``), the one fleet sizing (``sizing``, on arrays;
whole systems via ``packing``; its scalar view with warnings in ``pool_sizing``), power and
cost formulas (``power``, ``cost``), and the one roll-up of sized pools into KPIs
(``rollup``), which ``evaluate`` turns into result tables; ``curves`` draws a sized
workload's latency against load. Every formula broadcasts over numpy arrays.
"""
