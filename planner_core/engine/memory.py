"""Memory fit: weights, KV cache and runtime reserve, and how many sequences fit at a context.

All functions broadcast over numpy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner_core.engine.replica import ModelShape, ReplicaHW, attention_dp, kv_copies

#: SRAM-resident chips keep a share of their SRAM free for activations and buffers (assumption).
SRAM_USABLE_FRACTION = 0.9


def chain_chips(shape: ModelShape, memory_gb, tokens, sequences=1):
    """Chips of an SRAM chain that hold the weights and the KV caches of ``sequences``
    sequences of ``tokens`` tokens each, on the usable share of each chip's memory."""
    per_chip = memory_gb * 1e9 * SRAM_USABLE_FRACTION
    return np.ceil((shape.weight_bytes + sequences * shape.kv_bytes_per_token * tokens)
                   / per_chip)


def replica_weight_bytes(hw: ReplicaHW, shape: ModelShape) -> np.ndarray:
    """Weights held by the whole replica: one copy, plus the non-expert weights again on each
    further data-parallel attention rank (:func:`planner_core.engine.replica.attention_dp`)."""
    dp = attention_dp(hw, shape)
    if _is_one(dp):
        return shape.weight_bytes
    return np.asarray(shape.weight_bytes + shape.dense_weight_bytes * (dp - 1.0), dtype=float)


def _is_one(x) -> bool:
    """A plain 1.0: the common case, where the formulas skip the data-parallel terms."""
    return isinstance(x, float) and x == 1.0


def kv_capacity_bytes(hw: ReplicaHW, shape: ModelShape) -> np.ndarray:
    """Bytes of distinct KV cache the replica holds (negative when weights don't fit).

    The serving engine's rule decides it (:mod:`planner_core.catalog.engines`): TensorRT-LLM
    gives the cache a share of what is free after the weights and its workspace, vLLM and
    SGLang give weights, workspace and cache together a share of all the memory. An SRAM
    chain keeps its usable SRAM for weights and caches. An MLA cache under tensor-parallel
    attention is held once per rank (:func:`planner_core.engine.replica.kv_copies`), so the
    replica holds that much less of it.
    """
    n = hw.n_acc
    weights = replica_weight_bytes(hw, shape)
    total = hw.mem_bytes * n
    work = hw.workspace_bytes * n
    f = hw.kv_fraction
    of_free = f * (total - work - weights)
    of_total = f * total - work - weights
    engine = np.where(np.asarray(hw.kv_of_total) > 0, of_total, of_free)
    # A replica short of memory stays negative by its shortfall, whatever the share.
    engine = np.where(total - work - weights < 0, total - work - weights, engine)
    free = np.where(hw.sram > 0, total * SRAM_USABLE_FRACTION - weights, engine)
    copies = kv_copies(hw, shape)
    return np.asarray(free if _is_one(copies) else free / copies, dtype=float)


def max_sequences(hw: ReplicaHW, shape: ModelShape, context_tokens) -> np.ndarray:
    """Concurrent sequences whose KV cache fits at ``context_tokens`` each (0 if none)."""
    cap = kv_capacity_bytes(hw, shape)
    per_seq = shape.kv_bytes_per_token * np.maximum(np.asarray(context_tokens, float), 1.0)
    return np.floor(np.maximum(cap, 0.0) / per_seq)


@dataclass(frozen=True)
class Fit:
    fits: bool
    reason: str
    weights_gb: float
    kv_per_token_kb: float
    kv_capacity_gb: float
    max_sequences: int


def fit(hw: ReplicaHW, shape: ModelShape, context_tokens: int) -> Fit:
    """Scalar summary with the reason, for reports and warnings."""
    cap = float(kv_capacity_bytes(hw, shape))
    n = int(max_sequences(hw, shape, context_tokens))
    total = float(hw.mem_bytes * hw.n_acc) / 1e9
    w = float(replica_weight_bytes(hw, shape)) / 1e9
    if cap <= 0:
        work = float(hw.workspace_bytes * hw.n_acc) / 1e9
        share = float(hw.kv_fraction)
        if float(hw.sram) > 0:
            rule = f"keep {SRAM_USABLE_FRACTION:.0%} of it for weights and caches"
        elif float(hw.kv_of_total) > 0:
            rule = (f"the serving engine keeps {share:.0%} of it ({share * total:,.1f} GB) "
                    f"for weights, {work:,.1f} GB of workspace and the KV cache")
        else:
            rule = f"the serving engine keeps {work:,.1f} GB of it for its workspace"
        reason = (f"weights need {w:,.1f} GB; the replica's {int(hw.n_acc)} accelerator(s) "
                  f"offer {total:,.1f} GB and {rule}")
    elif n < 1:
        reason = (f"no room for one {context_tokens:,}-token KV cache "
                  f"({shape.kv_bytes_per_token * context_tokens / 1e9:,.2f} GB) after the "
                  f"weights ({w:,.1f} GB)")
    else:
        reason = f"fits: {n:,} sequences of {context_tokens:,} tokens"
    return Fit(
        fits=n >= 1, reason=reason, weights_gb=w,
        kv_per_token_kb=shape.kv_bytes_per_token / 1e3, kv_capacity_gb=max(cap, 0) / 1e9,
        max_sequences=n,
    )
