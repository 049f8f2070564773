"""What-if: the plan's KPIs over many values at once (``evaluate_many``, with the inputs it
accepts in ``numeric_inputs``), sweeps of one input (``sweep``), the cheapest fleet for a
workload (``optimize``), which assumptions move the answer (``sensitivity``) and how sure it
is (``uncertainty``). Built on the engine's formulas and its one roll-up.
"""
