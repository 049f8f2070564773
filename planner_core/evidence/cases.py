"""Published measurements as cases: read them, set each up, and predict its metric.

The CSV layout is the one in ``calibration_cases.csv``; ``engine`` (the serving engine) and
``ep``/``dp_attention`` are optional columns, and a power file may leave out the columns it
does not use (precisions, layout, limits). Blank fields are the planner's to choose:
accelerators (the fewest that hold the model), tp/pp (the best layout for the metric),
precision (the device's usual one) and KV precision (the engine default for the weights). A
setting missing from its column is read from the row's ``source`` where the publisher wrote it
there ("tp=8 ep=8 dp_attn=false", "concurrency=4", "sglang"), since that is where published
benchmark logs keep it; otherwise the engine is the accelerator vendor's usual one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from planner_core.catalog import BYTES_PER_VALUE, Catalog
from planner_core.catalog.engines import ENGINE_CHOICES, ServingEngine, engine_for
from planner_core.engine.capacity import max_rate
from planner_core.engine.memory import chain_chips, kv_capacity_bytes
from planner_core.engine.power import HOST_IDLE_SHARE, PowerKnobs, activity, busy_watts
from planner_core.engine.power_cap import at_clock, limited_clock
from planner_core.engine.replica import (
    ModelShape,
    ReplicaHW,
    default_kv_precision,
    model_shape,
    replica_hw,
    resolve,
)
from planner_core.engine.serving import at_rate, closed_loop, offline
from planner_core.engine.step_times import Efficiency
from planner_core.errors import PlannerError

CASE_COLUMNS = [
    "case_id", "source", "system", "accelerators", "model", "weight_precision", "kv_precision",
    "tp", "pp", "scenario", "isl", "osl", "concurrency", "ttft_limit_ms", "tpot_limit_ms",
    "metric", "measured",
]
#: Columns a file must have; the others may be left out (blank for every row).
REQUIRED_COLUMNS = ["case_id", "source", "system", "model", "scenario", "isl", "osl", "metric",
                    "measured"]
OPTIONAL_COLUMNS = ["engine", "ep", "dp_attention", "power_limit_w", "rate_rps"]
#: ``rate``: requests arriving at ``rate_rps`` a second (a benchmark's Poisson request rate),
#: measured as they were served; ``server``: the highest rate within the TTFT/TPOT limits.
SCENARIOS = {"offline", "server", "concurrency", "single_stream", "rate"}
#: ``ttft_p99_ms`` is read at a request rate (``rate``) only: a closed loop of clients has
#: no spread of its own in this model.
PERFORMANCE_METRICS = {"output_tok_s", "ttft_ms", "itl_ms", "user_tok_s", "ttft_p99_ms"}
#: ``system_w``: mean wall power of the systems; ``tok_per_j``: output tokens per joule of
#: them, or of the accelerator boards where the source says "board power only".
POWER_METRICS = {"system_w", "tok_per_j"}
METRICS = PERFORMANCE_METRICS | POWER_METRICS
#: Metrics where larger is better (the layout choice maximises these, minimises the others).
HIGHER_IS_BETTER = {"output_tok_s", "user_tok_s", "tok_per_j"}
DEFAULT_POWER = PowerKnobs()
_ENGINE_WORDS = (("sglang", "sglang"), ("vllm", "vllm"), ("tensorrt-llm", "trtllm"),
                 ("tensorrt_llm", "trtllm"), ("trtllm", "trtllm"), ("_trt", "trtllm"))


def _from_source(source: str, name: str) -> str | None:
    """A ``name=value`` setting written in the source text, if any."""
    m = re.search(rf"\b{name}\s*=\s*([A-Za-z0-9.]+)", source)
    return m.group(1) if m else None


def _precision_named(source: str) -> str | None:
    m = re.search(r"\b(fp16|bf16|fp8|fp4|int8|int4)\b", source, re.IGNORECASE)
    return m.group(1).lower() if m else None


_POWER_LIMIT = re.compile(
    r"(?:power[ _-]?(?:limit|cap)\w*|-pl)\s*(?:=|:|of|at|to)?\s*(\d+(?:\.\d+)?)\s*W?\b",
    re.IGNORECASE)
_POWER_OPTIMISED = re.compile(r"\bmax-?q\b|power[- ]optimi[sz]ed", re.IGNORECASE)


def power_limit_named(source: str) -> float | None:
    """A board power limit the source states ("power_limit=500", "power cap of 450 W",
    "nvidia-smi -pl 500"), in watts per accelerator."""
    m = _POWER_LIMIT.search(source)
    return float(m.group(1)) if m else None


def _number(value) -> float:
    """A numeric cell; NaN for text that is not a number (refused later)."""
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return float("nan")


def engine_named(source: str) -> str:
    """The serving engine a source names, or "auto"."""
    low = source.lower()
    for word, engine in _ENGINE_WORDS:
        if word in low:
            return engine
    return "auto"


def _complete(df: pd.DataFrame) -> pd.DataFrame:
    """Fills the optional columns, reading settings the source states."""
    df = df.copy()
    for col in CASE_COLUMNS + OPTIONAL_COLUMNS:
        if col not in df.columns:
            df[col] = pd.NA
    src = df["source"].fillna("").astype(str)
    engines = [e if isinstance(e, str) and e.strip() else engine_named(s)
               for e, s in zip(df["engine"], src, strict=True)]
    df["engine"] = engines
    for col, name in (("tp", "tp"), ("ep", "ep"), ("concurrency", "concurrency")):
        vals = [v if not _blank(v) else _from_source(s, name) for v, s in zip(df[col], src,
                                                                               strict=True)]
        df[col] = pd.array([None if _blank(v) else int(float(v)) for v in vals], dtype="Int64")
    dp = [v if not _blank(v) else _from_source(s, "dp_attn") for v, s in
          zip(df["dp_attention"], src, strict=True)]
    df["dp_attention"] = [None if _blank(v) else str(v).strip().lower() in ("true", "1", "yes")
                          for v in dp]
    # Weights' precision: the column, else the first precision the source names.
    df["weight_precision"] = [v if not _blank(v) else _precision_named(s)
                              for v, s in zip(df["weight_precision"], src, strict=True)]
    df["board_only"] = src.str.contains("BOARD power only", case=False)
    df["rate_rps"] = [np.nan if _blank(v) else _number(v) for v in df["rate_rps"]]
    df["power_limit_w"] = [_number(v) if not _blank(v) else power_limit_named(s)
                           for v, s in zip(df["power_limit_w"], src, strict=True)]
    # A power-optimised run ("MaxQ") without its limit: the vendor's usual one for the part
    # (catalog power_optimised_limit_w), looked up when the case is set up.
    df["power_optimised"] = [bool(_POWER_OPTIMISED.search(s)) for s in src]
    return df


def read_cases(path: Path) -> pd.DataFrame:
    """Reads and checks a cases CSV; raises PlannerError naming the row and column."""
    try:
        df = pd.read_csv(path, dtype={"case_id": str, "source": str, "accelerators": "Int64",
                                      "tp": "Int64", "pp": "Int64", "concurrency": "Int64"})
    except (OSError, UnicodeDecodeError, ValueError, TypeError, pd.errors.ParserError,
            pd.errors.EmptyDataError) as exc:
        raise PlannerError(f"cannot read cases: {exc}", source=str(path)) from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise PlannerError(f"missing column(s) {', '.join(missing)}", source=str(path))
    df = _complete(df)
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
        if row["scenario"] == "concurrency" and _blank(row["concurrency"]):
            raise PlannerError("a concurrency case needs its concurrency (column or "
                               "'concurrency=N' in the source)", field=where, source=str(path))
        if row["scenario"] == "rate" and not (pd.notna(row["rate_rps"])
                                              and float(row["rate_rps"]) > 0):
            raise PlannerError("a rate case needs its request rate (rate_rps > 0)",
                               field=where, source=str(path))
        if row["metric"] == "ttft_p99_ms" and row["scenario"] != "rate":
            raise PlannerError("ttft_p99_ms is read at a request rate only (scenario 'rate')",
                               field=where, source=str(path))
        if row["engine"] not in ENGINE_CHOICES:
            raise PlannerError(f"engine {row['engine']!r} is not one of "
                               f"{', '.join(ENGINE_CHOICES)}", field=where, source=str(path))
        limit = row["power_limit_w"]
        if limit is not None and not (np.isfinite(limit) and limit > 0):
            raise PlannerError("power_limit_w must be a positive number of watts",
                               field=where, source=str(path))
        if not (pd.notna(row["measured"]) and float(row["measured"]) > 0):
            raise PlannerError("measured must be a positive number", field=where,
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
    idle_w: float = 0.0  # per accelerator
    tdp_w: float = 0.0
    host_w: float = 0.0  # per system, rated
    per_system: int = 1  # accelerators per system
    limit_w: float | None = None  # board power limit, per accelerator (None: the TDP)


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
    engine = case_engine(catalog, row)
    dp = row["dp_attention"]
    hw = replica_hw(acc, weight_precision=wp, kv_precision=kp, system=None, engine=engine,
                    dp_attention=None if dp is None or _blank(dp) else bool(dp))
    ep = 1.0 if _blank(row["ep"]) else float(min(int(row["ep"]), round(tp * pp)))
    hw = hw.with_(tp=tp, pp=pp, ep=ep)
    replicas = max(1, int(n_acc // round(tp * pp))) if acc.architecture != "sram" else 1
    systems = catalog.systems_for(acc.id)
    host = system or (systems[0] if systems else None)
    limit = row.get("power_limit_w")
    if limit is None and row.get("power_optimised") and acc.power_optimised_limit_w:
        limit = acc.power_optimised_limit_w.value
    return CaseSetup(hw, shape, replicas, n_acc, wp, kp, acc.idle_w.value, acc.tdp_w.value,
                     host.host_power_w.value if host else 0.0,
                     host.accelerators if host else 1,
                     None if limit is None or limit >= acc.tdp_w.value else float(limit))


def case_engine(catalog: Catalog, row) -> ServingEngine:
    acc, _ = resolve(catalog, row["system"])
    return engine_for(row["engine"], acc.vendor, acc.architecture)


def predict_metric(setup: CaseSetup, row, eff: Efficiency,
                   knobs: PowerKnobs = DEFAULT_POWER) -> np.ndarray:
    """The case's metric as the engine predicts it (an array if ``eff`` or ``knobs`` hold
    arrays). Power: the accelerators at the activity of their load point, plus, for wall
    power, the hosts of the systems they fill."""
    isl, osl = float(row["isl"]), float(row["osl"])
    hw, shape, n = setup.hw, setup.shape, setup.replicas
    scenario, metric = row["scenario"], row["metric"]
    if setup.limit_w is not None:
        hw = at_clock(hw, limited_clock(hw, shape, eff, knobs, isl, osl, setup.idle_w,
                                        setup.tdp_w, setup.limit_w))
    if scenario == "offline":
        p = offline(hw, shape, eff, isl, osl)
    elif scenario == "server":
        ttft = float(row["ttft_limit_ms"]) / 1e3 if not _blank(row["ttft_limit_ms"]) else np.inf
        tpot = float(row["tpot_limit_ms"]) / 1e3 if not _blank(row["tpot_limit_ms"]) else np.inf
        p = max_rate(hw, shape, eff, isl, osl, ttft, tpot)
    elif scenario == "rate":
        p = at_rate(hw, shape, eff, float(row["rate_rps"]) / n, isl, osl)
    else:
        users = 1.0 if scenario == "single_stream" else float(row["concurrency"])
        p = closed_loop(hw, shape, eff, users / n, isl, osl)
    if metric in POWER_METRICS:
        act = activity(hw, shape, knobs, p.rate_rps, isl, osl, p.batch)
        boards = setup.accelerators * busy_watts(setup.idle_w, setup.tdp_w, act, setup.limit_w)
        systems = -(-setup.accelerators // setup.per_system)
        # The host as the roll-up draws it (power.it_watts): by the share of the replicas'
        # capacity in use, full at the offline and server scenarios' maximum throughput.
        used = 1.0 if scenario in ("offline", "server") else np.minimum(
            p.rate_rps / offline(hw, shape, eff, isl, osl).rate_rps, 1.0)
        host = systems * setup.host_w * knobs.host_share * (HOST_IDLE_SHARE
                                                             + (1 - HOST_IDLE_SHARE) * used)
        watts = boards if bool(row.get("board_only", False)) else boards + host
        return watts if metric == "system_w" else p.output_tok_s * n / watts
    return {
        "output_tok_s": p.output_tok_s * n,
        "ttft_ms": p.ttft_s * 1e3,
        "ttft_p99_ms": p.ttft_p99_s * 1e3,
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


def predict_case(catalog: Catalog, row, eff: Efficiency,
                 knobs: PowerKnobs = DEFAULT_POWER) -> tuple[float, CaseSetup]:
    """The prediction at the planner's best layout for the case's metric (power: the layout
    that serves fastest, as the measured run would have been set up)."""
    best = None
    if row["metric"] in POWER_METRICS:
        fastest = predict_case(catalog, {**row, "metric": "output_tok_s"}, eff)[1]
        return float(np.asarray(predict_metric(fastest, row, eff, knobs))), fastest
    for setup in case_candidates(catalog, row):
        value = float(np.asarray(predict_metric(setup, row, eff, knobs)))
        if not np.isfinite(value):
            continue
        better = (best is None or (value > best[0] if row["metric"] in HIGHER_IS_BETTER
                                   else value < best[0]))
        if better:
            best = (value, setup)
    if best is None:
        raise Unservable("no layout could serve this case (the measured load is beyond what "
                         "the planner's replica carries)", field=str(row["case_id"]))
    return best


class Unservable(PlannerError):
    """A case none of whose layouts can carry its measured load in the model."""
