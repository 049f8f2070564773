"""The hardware and model catalog: what the entries are (``entries``), how the built-in and
the user's files load into one :class:`Catalog` (``loading``), and which MIG layouts a GPU
allows (``mig``). The lowest layer of the core: it imports nothing of the plan or the engine.
"""

from planner_core.catalog.entries import (
    BYTES_PER_VALUE,
    COMPUTE_KEY,
    GRADE_SPREAD,
    Accelerator,
    CatalogFile,
    MigProfile,
    MigSpec,
    Model,
    Spec,
    System,
)
from planner_core.catalog.loading import Catalog, builtin_catalog_files, load_catalog

__all__ = [
    "BYTES_PER_VALUE", "COMPUTE_KEY", "GRADE_SPREAD", "Accelerator", "Catalog", "CatalogFile",
    "MigProfile", "MigSpec", "Model", "Spec", "System", "builtin_catalog_files", "load_catalog",
]
