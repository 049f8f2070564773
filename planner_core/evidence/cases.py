"""Published measurements as cases: read them, set each up, and predict its metric.

The CSV layout is the one in ``calibration_cases.csv``. Blank fields are the planner's to
choose: accelerators (the fewest that hold the model), tp/pp (the best layout for the metric),
precision (the device's usual one) and KV precision (the engine default for the weights).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from planner_core.catalog import BYTES_PER_VALUE, Catalog
from planner_core.engine.memory import chain_chips, kv_capacity_bytes
from planner_core.engine.replica import (
    ModelShape,
    ReplicaHW,
    default_kv_precision,
    model_shape,
    replica_hw,
    resolve,
)
from planner_core.engine.serving import closed_loop, max_rate, offline
from planner_core.engine.step_times import Efficiency
from planner_core.errors import PlannerError

CASE_COLUMNS = [
    "case_id", "source", "system", "accelerators", "model", "weight_precision", "kv_precision",
    "tp", "pp", "scenario", "isl", "osl", "concurrency", "ttft_limit_ms", "tpot_limit_ms",
    "metric", "measured",
]
SCENARIOS = {"offline", "server", "concurrency", "single_stream"}
METRICS = {"output_tok_s", "ttft_ms", "itl_ms", "user_tok_s"}
#: Metrics where larger is better (the layout choice maximises these, minimises the others).
HIGHER_IS_BETTER = {"output_tok_s", "user_tok_s"}


def read_cases(path: Path) -> pd.DataFrame:
    """Reads and checks a cases CSV; raises PlannerError naming the row and column."""
    try:
        df = pd.read_csv(path, dtype={"case_id": str, "source": str, "accelerators": "Int64",
                                      "tp": "Int64", "pp": "Int64", "concurrency": "Int64"})
    except (OSError, UnicodeDecodeError, ValueError, TypeError, pd.errors.ParserError,
            pd.errors.EmptyDataError) as exc:
        raise PlannerError(f"cannot read cases: {exc}", source=str(path)) from exc
    missing = [c for c in CASE_COLUMNS if c not in df.columns]
    if missing:
        raise PlannerError(f"missing column(s) {', '.join(missing)}", source=str(path))
    for i, row in df.iterrows():
        where = f"row {i + 2} ({row['case_id']})"
        if row["scenario"] not in SCENARIOS:
            raise PlannerError(f"scenario {row['scenario']!r} is not one of {sorted(SCENARIOS)}",
                               field=where, source=str(path))
        if row["metric"] not in METRICS:
            raise PlannerError(f"metric {row['metric']!r} is not one of {sorted(METRICS)}",
                               field=where, source=str(path))
        for col in ("isl", "osl"):
            if not (pd.notna(row[col]) and row[col] >= 1):
                raise PlannerError(f"{col} must be a positive token count", field=where,
                                   source=str(path))
    return df


@dataclass(frozen=True)
class CaseSetup:
    hw: ReplicaHW
    shape: ModelShape
    replicas: int
    accelerators: int
    precision: str
    kv_precision: str


def _blank(v) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip() == ""
    return bool(pd.isna(v))


def _fewest_holding(catalog: Catalog, acc_id: str, shape: ModelShape, tokens: float) -> int:
    acc, system = resolve(catalog, acc_id)
    if acc.architecture == "sram":
        return max(1, int(chain_chips(shape, acc.memory_gb.value, tokens)))
    limit = system.scaleup_domain if system else 8
    n = 1
    while n <= max(limit, 1) * 64:
        hw = replica_hw(acc, tp=min(n, limit), pp=max(1, n // limit), system=None)
        if kv_capacity_bytes(hw, shape) >= shape.kv_bytes_per_token * tokens:
            return n
        n *= 2
    raise PlannerError(f"{shape.weight_bytes / 1e9:,.0f} GB of weights do not fit on {acc.id}")


def layouts(catalog: Catalog, acc_id: str, n_acc: int, shape: ModelShape, tp=None, pp=None):
    """Candidate (tp, pp) for ``n_acc`` accelerators, honouring given values."""
    acc, system = resolve(catalog, acc_id)
    if acc.architecture == "sram":
        # An SRAM chain: layers spread over stages, each stage's layer split over its chips.
        stages = min(shape.layers, n_acc) if _blank(pp) else int(pp)
        return [(n_acc / stages if _blank(tp) else float(tp), float(stages))]
    domain = system.scaleup_domain if system else n_acc
    if not _blank(tp) and not _blank(pp):
        return [(float(tp), float(pp))]
    out = []
    t = 1
    while t <= n_acc:
        if n_acc % t == 0 and t <= domain:
            for p in ([int(pp)] if not _blank(pp) else [1, 2, 4, 8]):
                if n_acc % (t * p) == 0 and (_blank(tp) or t == int(tp)):
                    out.append((float(t), float(p)))
        t *= 2
    return out or [(float(min(n_acc, domain)), 1.0)]


def setup_case(catalog: Catalog, row, tp: float, pp: float, n_acc: int) -> CaseSetup:
    acc, system = resolve(catalog, row["system"])
    wp = acc.default_precision if _blank(row["weight_precision"]) else row["weight_precision"]
    kp = default_kv_precision(wp) if _blank(row["kv_precision"]) else row["kv_precision"]
    if wp not in BYTES_PER_VALUE or kp not in BYTES_PER_VALUE:
        raise PlannerError(f"unknown precision {wp!r}/{kp!r}", field=str(row["case_id"]))
    shape = model_shape(catalog.model(row["model"]), wp, kp)
    hw = replica_hw(acc, weight_precision=wp, kv_precision=kp, system=None)
    hw = hw.with_(tp=tp, pp=pp)
    replicas = max(1, int(n_acc // round(tp * pp))) if acc.architecture != "sram" else 1
    return CaseSetup(hw, shape, replicas, n_acc, wp, kp)


def predict_metric(setup: CaseSetup, row, eff: Efficiency) -> np.ndarray:
    """The case's metric as the engine predicts it (an array if ``eff`` holds arrays)."""
    isl, osl = float(row["isl"]), float(row["osl"])
    hw, shape, n = setup.hw, setup.shape, setup.replicas
    scenario, metric = row["scenario"], row["metric"]
    if scenario == "offline":
        p = offline(hw, shape, eff, isl, osl)
    elif scenario == "server":
        ttft = float(row["ttft_limit_ms"]) / 1e3 if not _blank(row["ttft_limit_ms"]) else np.inf
        tpot = float(row["tpot_limit_ms"]) / 1e3 if not _blank(row["tpot_limit_ms"]) else np.inf
        p = max_rate(hw, shape, eff, isl, osl, ttft, tpot)
    else:
        users = 1.0 if scenario == "single_stream" else float(row["concurrency"])
        p = closed_loop(hw, shape, eff, users / n, isl, osl)
    return {
        "output_tok_s": p.output_tok_s * n,
        "ttft_ms": p.ttft_s * 1e3,
        "itl_ms": p.tpot_s * 1e3,
        "user_tok_s": 1.0 / p.tpot_s,
    }[metric]


def case_candidates(catalog: Catalog, row) -> list[CaseSetup]:
    """Every setup the planner may choose for a case (one when nothing is blank)."""
    acc, _ = resolve(catalog, row["system"])
    wp = acc.default_precision if _blank(row["weight_precision"]) else row["weight_precision"]
    kp = default_kv_precision(wp) if _blank(row["kv_precision"]) else row["kv_precision"]
    shape = model_shape(catalog.model(row["model"]), wp, kp)
    if _blank(row["accelerators"]):
        n_acc = _fewest_holding(catalog, row["system"], shape, float(row["isl"] + row["osl"]))
    else:
        n_acc = int(row["accelerators"])
    return [setup_case(catalog, row, t, p, n_acc)
            for t, p in layouts(catalog, row["system"], n_acc, shape, row["tp"], row["pp"])]


def predict_case(catalog: Catalog, row, eff: Efficiency) -> tuple[float, CaseSetup]:
    """The prediction at the planner's best layout for the case's metric."""
    best = None
    for setup in case_candidates(catalog, row):
        value = float(np.asarray(predict_metric(setup, row, eff)))
        if not np.isfinite(value):
            continue
        better = (best is None or (value > best[0] if row["metric"] in HIGHER_IS_BETTER
                                   else value < best[0]))
        if better:
            best = (value, setup)
    if best is None:
        raise PlannerError("no layout could serve this case", field=str(row["case_id"]))
    return best
