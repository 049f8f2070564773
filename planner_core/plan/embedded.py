"""A plan that uses entries of the user's own catalog files carries them, so that a mailed
plan opens, with the same figures, on a machine that does not have those files.

When a plan is saved, :func:`embed` puts into it every entry it uses (its systems, their
accelerators and its models, in the base plan and every scenario) that is not built in:
an entry of a user catalog file, a built-in entry a user file changed, or one embedded
before. When a plan is read or evaluated, :func:`with_embedded` gives the catalog with those
entries laid over it: the plan's own figures win, as its author had them.
"""

from __future__ import annotations

from planner_core.catalog import Catalog
from planner_core.catalog.entries import CatalogFile
from planner_core.errors import PlannerError

#: The origin recorded for entries a plan brought with it.
EMBEDDED = "embedded in the plan"


def used_ids(plan) -> dict[str, set[str]]:
    """The systems and models the plan names, in the base plan and in every scenario."""
    systems, models = set(), set()
    for name in plan.scenario_names():
        try:
            variant = plan.variant(name)
        except PlannerError:
            continue  # a scenario that does not apply names nothing to carry
        systems.update(p.system for p in variant.pools)
        models.update(w.model for w in variant.workloads)
    return {"systems": systems, "models": models}


def embed(plan, catalog: Catalog):
    """``plan`` carrying the entries it uses that are not built in (None if there are none)."""
    ids = used_ids(plan)
    systems = [catalog.systems[i] for i in sorted(ids["systems"])
               if i in catalog.systems and catalog.origin.get(i) != "built-in"]
    accelerator_ids = {catalog.systems[i].accelerator for i in ids["systems"]
                       if i in catalog.systems}
    accelerators = [catalog.accelerators[i] for i in sorted(accelerator_ids)
                    if catalog.origin.get(i) != "built-in"]
    models = []
    for ident in sorted(ids["models"]):
        try:
            model = catalog.model(ident)
        except PlannerError:
            continue
        if catalog.origin.get(model.id) != "built-in":
            models.append(model)
    carried = CatalogFile(accelerators=accelerators, systems=systems, models=models) \
        if accelerators or systems or models else None
    if carried == plan.embedded_catalog:
        return plan
    return plan.model_copy(update={"embedded_catalog": carried})


def with_embedded(plan, catalog: Catalog) -> Catalog:
    """``catalog`` with the plan's embedded entries laid over it (``catalog`` itself when the
    plan carries none). The same entries over the same catalog give the same object, so each
    evaluation of an edit does not rebuild it."""
    carried = getattr(plan, "embedded_catalog", None)
    if carried is None:
        return catalog
    key = (id(catalog), carried.model_dump_json())
    found = _LAID.get(key)
    if found is not None and found[0] is catalog:
        return found[1]
    out = Catalog()
    out.accelerators = dict(catalog.accelerators)
    out.systems = dict(catalog.systems)
    out.models = dict(catalog.models)
    out._aliases = dict(catalog._aliases)
    out.origin = dict(catalog.origin)
    out.add(carried, origin=EMBEDDED)
    if len(_LAID) >= 8:
        _LAID.pop(next(iter(_LAID)))
    _LAID[key] = (catalog, out)  # the catalog is kept alive, so its id stays its own
    return out


_LAID: dict[tuple, tuple[Catalog, Catalog]] = {}
