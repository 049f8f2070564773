"""Step times: how long a replica takes to prefill prompts and to run one decode step.

A roofline per step: the larger of the compute time and the memory time at calibrated
efficiencies (joined smoothly, since real kernels slow down before the ridge point), plus
tensor-parallel all-reduces, pipeline hops and expert all-to-all over the system's links, plus a
per-layer overhead (kernel launches and synchronisation; for SRAM chip chains, the per-layer
hand-off). Every function broadcasts over numpy arrays, so a sweep is one call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .replica import ModelShape, ReplicaHW

#: Bytes per activation value moved between accelerators (serving engines exchange bf16).
ACT_BYTES = 2.0
#: Tokens one prefill chunk may hold (TensorRT-LLM's and vLLM's usual max_num_tokens: 8192).
PREFILL_CHUNK_TOKENS = 8192.0


@dataclass(frozen=True)
class Efficiency:
    """The calibrated knobs of one accelerator family. All may be numpy arrays."""

    compute: float | np.ndarray = 0.55  # share of dense peak FLOPS reached by the matmuls
    memory: float | np.ndarray = 0.80  # share of peak memory bandwidth reached
    layer_overhead_us: float | np.ndarray = 8.0  # per layer per step: launches, sync, hand-off
    sharpness: float | np.ndarray = 3.0  # how sharply compute and memory time combine


def _soft_max(a, b, k):
    """(a^k + b^k)^(1/k): the roofline's max with a rounded corner; k → ∞ is the hard max."""
    hi = np.maximum(a, b)
    lo = np.minimum(a, b)
    safe = np.where(hi > 0, hi, 1.0)
    return np.where(hi > 0, hi * (1.0 + (lo / safe) ** k) ** (1.0 / k), 0.0)


def weights_read(shape: ModelShape, tokens) -> np.ndarray:
    """Weight bytes one forward pass over ``tokens`` tokens reads (MoE: the experts it routes to).

    With E experts and k active per token, T tokens touch E·(1 − (1 − k/E)^T) distinct experts
    in each MoE layer if routing is uniform; a dense model reads everything.
    """
    tokens = np.asarray(tokens, dtype=float)
    if shape.moe_experts == 0:
        return np.broadcast_to(np.asarray(shape.weight_bytes, float), tokens.shape) + 0.0
    e, k = shape.moe_experts, shape.moe_active
    touched = e * (1.0 - (1.0 - k / e) ** np.maximum(tokens, 0.0))
    return shape.dense_weight_bytes + shape.moe_layers * shape.expert_bytes * touched


def _all_reduce(hw: ReplicaHW, msg_bytes):
    """Ring all-reduce over ``tp`` accelerators: 2·(n−1)/n · bytes / bandwidth + latency."""
    tp = np.asarray(hw.tp, float)
    t = 2.0 * (tp - 1.0) / tp * msg_bytes / hw.link_bw + hw.link_lat
    return np.where(tp > 1, t, 0.0)


def _comm(hw: ReplicaHW, shape: ModelShape, tokens):
    """Collectives per forward pass over ``tokens`` tokens."""
    act = tokens * shape.hidden * ACT_BYTES
    t = 2.0 * shape.layers * _all_reduce(hw, act)  # after attention and after the MLP
    pp = np.asarray(hw.pp, float)
    t = t + (pp - 1.0) * (hw.link_lat + act / hw.link_bw)
    if shape.moe_experts:
        ep = np.asarray(hw.ep, float)
        moved = tokens * shape.moe_active * shape.hidden * ACT_BYTES * (ep - 1.0) / ep
        a2a = 2.0 * (moved / hw.link_bw + hw.link_lat)  # dispatch and combine
        t = t + shape.moe_layers * np.where(ep > 1, a2a, 0.0)
    return t


def decode_step(hw: ReplicaHW, shape: ModelShape, eff: Efficiency, batch, context) -> np.ndarray:
    """Seconds for one decode step of ``batch`` sequences whose KV caches hold ``context`` tokens.

    Weights are read once per step (pipeline stages run one after another for a token, so the
    weights divide over ``tp`` only); KV-cache reads and FLOPs divide over every accelerator that
    has work, i.e. ``tp × min(pp, batch)``.
    """
    b = np.maximum(np.asarray(batch, float), 1.0)
    ctx = np.asarray(context, float)
    par = hw.tp * np.minimum(hw.pp, b)
    gemm = 2.0 * shape.active * b / (par * hw.flops * eff.compute)
    attn = 4.0 * shape.layers * shape.heads * shape.attn_width * ctx * b
    t_compute = gemm + attn / (par * hw.attn_flops * eff.compute)
    kv = b * ctx * shape.kv_bytes_per_token
    t_memory = (weights_read(shape, b) / hw.tp + kv / par) / (hw.bw * eff.memory)
    t = _soft_max(t_compute, t_memory, eff.sharpness)
    return t + _comm(hw, shape, b) + shape.layers * eff.layer_overhead_us * 1e-6


def prefill_time(hw: ReplicaHW, shape: ModelShape, eff: Efficiency, prompts, prompt_tokens):
    """Seconds to prefill ``prompts`` prompts of ``prompt_tokens`` tokens, batched in chunks."""
    n = np.maximum(np.asarray(prompts, float), 1.0)
    isl = np.maximum(np.asarray(prompt_tokens, float), 1.0)
    tokens = n * isl
    chunks = np.ceil(tokens / PREFILL_CHUNK_TOKENS)
    par = hw.tp * np.minimum(hw.pp, chunks)
    gemm = 2.0 * shape.active * tokens / (par * hw.flops * eff.compute)
    # Causal attention: QK and AV each cost heads·width·isl² per layer per prompt.
    attn = 2.0 * shape.layers * shape.heads * shape.attn_width * isl * isl * n
    t_compute = gemm + attn / (par * hw.attn_flops * eff.compute)
    per_chunk_tokens = np.minimum(tokens, PREFILL_CHUNK_TOKENS)
    w = weights_read(shape, per_chunk_tokens) * chunks / hw.tp
    t_memory = (w + tokens * shape.kv_bytes_per_token / par) / (hw.bw * eff.memory)
    t = _soft_max(t_compute, t_memory, eff.sharpness)
    comm = _comm(hw, shape, per_chunk_tokens) * chunks
    return t + comm + chunks * shape.layers * eff.layer_overhead_us * 1e-6


def prefill_per_request(hw, shape, eff, prompt_tokens) -> np.ndarray:
    """Replica-seconds one prompt costs when prompts are grouped into full chunks."""
    isl = np.maximum(np.asarray(prompt_tokens, float), 1.0)
    group = np.maximum(np.floor(PREFILL_CHUNK_TOKENS / isl), 1.0)
    return prefill_time(hw, shape, eff, group, isl) / group
