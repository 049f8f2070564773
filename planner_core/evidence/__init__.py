"""Evidence: published measurements as cases (``cases``), the fit of the engine's efficiency
knobs to them (``fit``), and how far the engine's predictions fall from them (``validation``).
It sits beside the what-if layer, above the engine it checks.
"""
