"""The efficiency knobs of each accelerator family, as ``calibration.json`` holds them.

Families fitted on published measurements (:mod:`planner_core.evidence.fit`) have their own
:class:`~planner_core.engine.step_times.Efficiency`; a family without cases borrows from the
fitted family it is physically closest to, by a stated rule:

- HBM and DRAM families: the fitted HBM family whose ratio of dense peak FLOPS (at the default
  precision) to memory bandwidth is closest, on a log scale — that ratio decides where decode
  and prefill sit on the roofline, which is what the knobs correct.
- SRAM chip chains and wafers: the fitted SRAM family whose on-chip SRAM per chip is closest,
  on a log scale — that decides how many chips, and so how many hand-offs, a model needs.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from planner_core.catalog import Accelerator, Catalog
from planner_core.engine.step_times import Efficiency
from planner_core.errors import PlannerError
from planner_core.resources import resource_path

KNOBS = ("compute", "memory", "layer_overhead_us", "sharpness")
DEFAULT = Efficiency()
def calibration_file() -> Path:
    return resource_path("calibration.json")


def _flops_per_byte(acc: Accelerator) -> float:
    return acc.tflops(acc.default_precision) * 1e12 / (acc.memory_bw_gbs.value * 1e9)


def _family_members(catalog: Catalog) -> dict[str, list[Accelerator]]:
    fams: dict[str, list[Accelerator]] = {}
    for a in catalog.accelerators.values():
        fams.setdefault(a.family, []).append(a)
    return fams


def inheritance(catalog: Catalog, fitted: set[str]) -> dict[str, dict]:
    """For each family without cases: which fitted family it inherits from, and why."""
    fams = _family_members(catalog)
    out = {}
    for fam, members in sorted(fams.items()):
        if fam in fitted:
            continue
        rep = members[0]
        sram = rep.architecture == "sram"
        pool = [f for f in fitted if (fams[f][0].architecture == "sram") == sram]
        if not pool:
            pool = list(fitted)
        if sram:
            key = lambda a: math.log(a.memory_gb.value)  # noqa: E731
            rule = "closest on-chip SRAM per chip (log scale)"
        else:
            key = lambda a: math.log(_flops_per_byte(a))  # noqa: E731
            rule = "closest ratio of dense peak FLOPS to memory bandwidth (log scale)"
        mine = float(np.mean([key(a) for a in members]))
        parent = min(sorted(pool), key=lambda f: abs(np.mean([key(a) for a in fams[f]]) - mine))
        out[fam] = {"inherits": parent, "rule": rule}
    return out


class Calibration:
    """Efficiency per accelerator family, read from ``calibration.json``."""

    def __init__(self, doc: dict | None = None):
        self.doc = doc or {}
        self._fams = {f: Efficiency(**{k: v[k] for k in KNOBS})
                      for f, v in self.doc.get("families", {}).items()}

    @classmethod
    def load(cls, path: Path | None = None) -> Calibration:
        path = Path(path or calibration_file())
        if not path.exists():
            return cls()
        try:
            return cls(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise PlannerError(f"cannot read calibration: {exc}", source=str(path)) from exc

    def efficiency(self, family: str, catalog: Catalog | None = None) -> Efficiency:
        if family in self._fams:
            return self._fams[family]
        inherited = self.doc.get("inherited", {}).get(family)
        if inherited and inherited["inherits"] in self._fams:
            return self._fams[inherited["inherits"]]
        if catalog is not None and self._fams:  # a family the shipped file never saw
            rule = inheritance(catalog, set(self._fams)).get(family)
            if rule:
                return self._fams[rule["inherits"]]
        return DEFAULT

    def source(self, family: str) -> str:
        if family in self._fams:
            info = self.doc["families"][family]
            return f"fitted on {len(info['cases'])} cases"
        inherited = self.doc.get("inherited", {}).get(family)
        if inherited:
            return f"inherited from {inherited['inherits']} ({inherited['rule']})"
        return "default (assumption: no calibration for this family)"


_LOADED: Calibration | None = None


def default_calibration() -> Calibration:
    global _LOADED
    if _LOADED is None:
        _LOADED = Calibration.load()
    return _LOADED
