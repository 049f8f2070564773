"""The efficiency knobs of each serving engine on each accelerator family, as
``calibration.json`` holds them, and the basis of every figure built on them.

Engine × family pairs fitted on published measurements (:mod:`planner_core.evidence.fit`) have
their own :class:`~planner_core.engine.step_times.Efficiency`. A pair without cases borrows the
fit that is physically closest, by a stated rule, in this order:

1. the same accelerator family under another engine (the hardware decides most of the
   roofline; engines differ by tens of percent): the engine closest in kind first;
2. the same engine on the same vendor's closest family of the same memory architecture (its
   kernels and libraries): for HBM and DRAM families the closest ratio of dense peak FLOPS to
   memory bandwidth on a log scale (that ratio decides where decode and prefill sit on the
   roofline), for SRAM chains the closest on-chip SRAM per chip (that decides how many chips,
   and so how many hand-offs, a model needs);
3. an engine closest in kind on the same vendor's closest family;
4. the same engine on another vendor's closest family;
5. any engine on the closest family of the same architecture, by the same measures.

What the architect sees is the :class:`Basis`: calibrated (on how many cases, at what median
error), borrowed (from which pair, at the error borrowing is measured to carry), or uncalibrated.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from planner_core.catalog import Accelerator, Catalog
from planner_core.catalog.engines import ENGINES, engine_for
from planner_core.engine.power import PowerKnobs
from planner_core.engine.step_times import Efficiency
from planner_core.errors import PlannerError
from planner_core.resources import resource_path

KNOBS = ("compute", "moe_compute", "memory", "layer_overhead_us", "sharpness",
         "step_overhead_us", "moe_overhead_us", "comm", "gemm_half_width", "ttft_overhead_ms")
POWER_KNOBS = ("active_share", "compute_share", "memory_share", "host_share")
DEFAULT = Efficiency()
#: Engines closest in kind to each engine, nearest first: vLLM and SGLang share a design
#: (Python scheduler, paged KV, CUDA graphs for decode); TensorRT-LLM is compiled C++.
KIN = {"trtllm": ("vllm", "sglang"), "vllm": ("sglang", "trtllm"),
       "sglang": ("vllm", "trtllm"), "vendor": ()}
#: Relative spread of performance figures with no calibration at all (assumption: the
#: 1.5-4x misses the planner showed before engines were calibrated, as a standard deviation
#: of the log error).
UNCALIBRATED_SPREAD = 0.5
#: For log errors spread normally, the median |error| is 0.6745 standard deviations: what
#: turns a fit's median error into the spread the uncertainty analysis draws with.
MEDIAN_TO_SIGMA = 1 / 0.6745
#: Fewer cases than this pin only the per-layer cost; the other knobs are borrowed (keep in
#: step with planner_core.evidence.fit.MIN_CASES_FOR_FULL_FIT).
FEW_CASES = 6


def calibration_file() -> Path:
    return resource_path("calibration.json")


def key(engine: str, family: str) -> str:
    return f"{engine}/{family}"


def _flops_per_byte(acc: Accelerator) -> float:
    return acc.tflops(acc.default_precision) * 1e12 / (acc.memory_bw_gbs.value * 1e9)


def _families(catalog: Catalog) -> dict[str, list[Accelerator]]:
    fams: dict[str, list[Accelerator]] = {}
    for a in catalog.accelerators.values():
        fams.setdefault(a.family, []).append(a)
    return fams


def borrowing(catalog: Catalog, fitted: set[str], engine: str, family: str) -> dict | None:
    """Which fitted engine/family pair ``engine/family`` borrows from, and why (None when
    nothing is fitted)."""
    if not fitted:
        return None
    fams = _families(catalog)
    members = fams.get(family)
    if not members:
        return None
    rep = members[0]
    sram = rep.architecture == "sram"

    def measure(f: str) -> float:
        ms = fams[f]
        vals = [math.log(a.memory_gb.value) if sram else math.log(_flops_per_byte(a))
                for a in ms]
        return sum(vals) / len(vals)

    mine = measure(family)
    what = "on-chip SRAM per chip" if sram else "ratio of dense peak FLOPS to memory bandwidth"
    for other in KIN.get(engine, ()):
        if key(other, family) in fitted:
            return {"from": key(other, family),
                    "rule": f"the same accelerators under {ENGINES[other].name}"}
    pairs = [k.split("/", 1) for k in sorted(fitted)]
    alike = [(e, f) for e, f in pairs
             if f in fams and (fams[f][0].architecture == "sram") == sram]
    same_vendor = [(e, f) for e, f in alike if fams[f][0].vendor == rep.vendor]
    # The same vendor's kernels and libraries first, under the same engine or a kindred one
    # (vLLM for SGLang on ROCm), before another vendor's under the same name.
    for tier, why in (([p for p in same_vendor if p[0] == engine], "the same engine"),
                      ([p for p in same_vendor if p[0] in KIN.get(engine, ())], None)):
        if tier:
            e, f = min(tier, key=lambda p: (p[0] != engine and KIN[engine].index(p[0]),
                                            abs(measure(p[1]) - mine)))
            return {"from": key(e, f),
                    "rule": f"{why or ENGINES[e].name} on the same vendor's family closest in "
                            f"{what} (log scale)"}
    same_engine = [(e, f) for e, f in alike if e == engine]
    if same_engine:
        e, f = min(same_engine, key=lambda p: abs(measure(p[1]) - mine))
        return {"from": key(e, f),
                "rule": f"the same engine on the family closest in {what} (log scale)"}
    pool = alike or [(e, f) for e, f in pairs if f in fams]
    if not pool:
        return None
    e, f = min(pool, key=lambda p: (abs(measure(p[1]) - mine), p[0] != engine))
    return {"from": key(e, f), "rule": f"the family closest in {what} (log scale)"}


@dataclass(frozen=True)
class Basis:
    """What a pool's performance figures rest on."""

    kind: str  # "calibrated" | "borrowed" | "uncalibrated"
    engine: str
    family: str
    text: str
    #: The standard deviation of the relative (log) error the basis carries, from the
    #: measured median |error|: of the fit on its own cases, or of fits borrowed across pairs
    #: (see evidence.fit).
    spread: float


class Calibration:
    """Efficiency per serving engine and accelerator family, read from ``calibration.json``."""

    def __init__(self, doc: dict | None = None):
        self.doc = doc or {}
        fits = self.doc.get("fits", {})
        self._fits = {k: Efficiency(**{n: float(v[n]) for n in KNOBS if n in v})
                      for k, v in fits.items()}
        power = self.doc.get("power") or {}
        #: How accelerators' and hosts' draw follows the work (fitted on power cases).
        self.power = PowerKnobs(**{n: power[n] for n in POWER_KNOBS if n in power})
        self._overlays: dict[str, Calibration] = {}

    def with_profile(self, profile: dict, sha256: str = "") -> Calibration:
        """This calibration with a profile's fits in place of (or beside) its own: the
        engine/family pairs the profile calibrates use its knobs, every other pair keeps
        this one's fit or borrowing."""
        key_ = sha256 or str(id(profile))
        if key_ not in self._overlays:
            name = str(profile.get("name") or "unnamed")
            fits = dict(self.doc.get("fits", {}))
            try:
                for pair, fit in profile["fits"].items():
                    fits[pair] = {**fit, "profile": name}
                doc = {**self.doc, "fits": fits, "profile": {"name": name, "sha256": sha256}}
                self._overlays[key_] = Calibration(doc)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise PlannerError(f"calibration profile {name!r} cannot be used: {exc}",
                                   field="calibration_profile") from None
        return self._overlays[key_]

    @classmethod
    def load(cls, path: Path | None = None) -> Calibration:
        path = Path(path or calibration_file())
        if not path.exists():
            return cls()
        try:
            return cls(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise PlannerError(f"cannot read calibration: {exc}", source=str(path)) from exc

    @property
    def fitted(self) -> set[str]:
        return set(self._fits)

    def _parent(self, engine: str, family: str, catalog: Catalog | None) -> dict | None:
        k = key(engine, family)
        if k in self._fits:
            return None
        shipped = self.doc.get("borrowed", {}).get(k)
        if shipped and shipped["from"] in self._fits:
            return shipped
        if catalog is not None:
            return borrowing(catalog, set(self._fits), engine, family)
        return None

    def efficiency(self, family: str, catalog: Catalog | None = None,
                   engine: str | None = None) -> Efficiency:
        """The knobs of ``engine`` on ``family`` (default: the family's vendor's usual engine,
        as a pool's "auto" means)."""
        if engine is None:
            engine = _usual_engine(catalog, family)
        k = key(engine, family)
        if k in self._fits:
            return self._fits[k]
        parent = self._parent(engine, family, catalog)
        if parent and parent["from"] in self._fits:
            return self._fits[parent["from"]]
        return DEFAULT

    def basis(self, family: str, engine: str, catalog: Catalog | None = None,
              models: list[str] | None = None) -> Basis:
        """What a pool of this engine on this family rests on. ``models``: the models it
        serves; a fit measured only on mixtures of experts (or only on dense models) is
        borrowed, not calibrated, for the other kind."""
        k = key(engine, family)
        fits = self.doc.get("fits", {})
        borrowed_err = float(self.doc.get("borrowing_error_pct") or 100 * UNCALIBRATED_SPREAD)
        if k in fits:
            info = fits[k]
            err = float(info["median_abs_error_pct"])
            fitted_on = info.get("models") or []
            n = len(info["cases"])
            on = f" of {', '.join(fitted_on)}" if fitted_on else ""
            if n < FEW_CASES:
                return Basis("borrowed", engine, family,
                             f"per-layer cost fitted on {n} case{'s' if n > 1 else ''}{on}; "
                             f"its other knobs borrowed from other fits (borrowed fits miss "
                             f"by {borrowed_err:.0f}% median)",
                             max(err, borrowed_err) / 100.0 * MEDIAN_TO_SIGMA)
            text = f"calibrated ({n} cases{on}, median error {err:.1f}%)"
            if info.get("profile"):
                text = (f"calibrated on profile {info['profile']!r} ({n} of your cases{on}, "
                        f"median error {err:.1f}%)")
            other = _other_kind(catalog, fitted_on, models or [])
            if other:
                return Basis("borrowed", engine, family,
                             f"{text}; {other} models borrow that fit",
                             max(err, borrowed_err) / 100.0 * MEDIAN_TO_SIGMA)
            return Basis("calibrated", engine, family, text,
                         max(err, 1.0) / 100.0 * MEDIAN_TO_SIGMA)
        parent = self._parent(engine, family, catalog)
        if parent and parent["from"] in fits:
            own = float(fits[parent["from"]]["median_abs_error_pct"])
            return Basis("borrowed", engine, family,
                         f"borrowed from {parent['from']} ({parent['rule']}; borrowed fits "
                         f"miss by {borrowed_err:.0f}% median)",
                         max(borrowed_err, own) / 100.0 * MEDIAN_TO_SIGMA)
        return Basis("uncalibrated", engine, family,
                     "uncalibrated (assumed efficiencies, no measurement)", UNCALIBRATED_SPREAD)



def _usual_engine(catalog: Catalog | None, family: str) -> str:
    member = next((a for a in catalog.accelerators.values() if a.family == family), None) \
        if catalog is not None else None
    if member is None:
        return "trtllm"
    return engine_for("auto", member.vendor, member.architecture).id


def _kind(catalog: Catalog, model: str) -> str | None:
    try:
        return "mixture-of-experts" if catalog.model(model).moe is not None else "dense"
    except PlannerError:
        return None


def _other_kind(catalog: Catalog | None, fitted_on: list[str], served: list[str]) -> str:
    """The kind of model (dense, mixture-of-experts) served but never measured, if any."""
    if catalog is None or not fitted_on:
        return ""
    measured = {_kind(catalog, m) for m in fitted_on}
    missing = sorted({_kind(catalog, m) for m in served} - measured - {None})
    return " and ".join(missing)


def for_plan(plan, calibration: Calibration | None = None) -> Calibration:
    """The calibration a plan's numbers use: ``calibration`` (default: the built-in one) with
    the plan's own profile on top, where it has one."""
    cal = calibration or default_calibration()
    ref = getattr(plan, "calibration_profile", None)
    return cal if ref is None else cal.with_profile(ref.profile, ref.sha256)


_LOADED: Calibration | None = None


def default_calibration() -> Calibration:
    global _LOADED
    if _LOADED is None:
        _LOADED = Calibration.load()
    return _LOADED
