"""Inference Planner's planning core: catalog, plan model and engine, free of Qt."""

__version__ = "0.1.0"
