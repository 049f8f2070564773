"""Step times: how long a replica takes to prefill prompts and to run one decode step.

A roofline per step: the larger of the compute time and the memory time at calibrated
efficiencies (joined smoothly, since real kernels slow down before the ridge point; matmuls
narrowed by tensor parallelism reach less of the peak), plus tensor-parallel all-reduces,
pipeline hops and expert all-to-all over the system's links (latency and bandwidth), plus what
every pass costs however small: the engine's scheduling and sampling, each layer's launches and
synchronisation (for SRAM chip chains, the hand-off), each MoE layer's routing. Every function
broadcasts over numpy arrays, so a sweep is one call.

With data-parallel attention (an MLA model with expert parallelism, see
:func:`planner_core.engine.replica.attention_dp`) each accelerator runs attention and the non-expert
weights for its own sequences: that work divides over the ranks that have sequences, the
non-expert weights are read by each, only the routed experts divide over the whole replica, and
no tensor-parallel all-reduce is needed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from planner_core.engine.expert_balance import expert_imbalance
from planner_core.engine.replica import ModelShape, ReplicaHW, attention_dp, kv_copies

#: Bytes per activation value moved between accelerators (serving engines exchange bf16).
ACT_BYTES = 2.0
#: Tokens one prefill chunk may hold (TensorRT-LLM's and vLLM's usual max_num_tokens: 8192).
PREFILL_CHUNK_TOKENS = 8192.0


@dataclass(frozen=True)
class Efficiency:
    """The calibrated knobs of one serving engine on one accelerator family (all may be numpy
    arrays). Hardware knobs say how close kernels come to the roofline; software knobs are
    what the engine pays however small the work."""

    compute: float | np.ndarray = 0.55  # share of dense peak FLOPS reached by wide matmuls
    #: The same for the routed experts' grouped matmuls of a mixture of experts, whose
    #: kernels (per-expert tiles, token permutation, block-scaled FP8) differ from dense ones.
    moe_compute: float | np.ndarray = 0.55
    memory: float | np.ndarray = 0.80  # share of peak memory bandwidth reached
    layer_overhead_us: float | np.ndarray = 8.0  # per layer per pass: launches, sync, hand-off
    sharpness: float | np.ndarray = 3.0  # how sharply compute and memory time combine
    #: Per forward pass: scheduling, sampling, host-device synchronisation.
    step_overhead_us: float | np.ndarray = 300.0
    #: Per MoE layer per pass on top of the layer's: routing, top-k, token permutation and
    #: the grouped matmul's launches.
    moe_overhead_us: float | np.ndarray = 30.0
    #: Share of a link's bandwidth the collectives reach (NCCL/RCCL bus bandwidth).
    comm: float | np.ndarray = 0.7
    #: Per-accelerator matmul width at which the matmuls reach half their wide-matrix
    #: efficiency: tensor parallelism splits the MLP into narrower pieces that fill fewer
    #: of the chip's compute units (tile and wave quantisation).
    gemm_half_width: float | np.ndarray = 256.0
    #: Per request, the time to first token spends outside the model: receiving and
    #: tokenising the prompt, admitting it, streaming the first token back.
    ttft_overhead_ms: float | np.ndarray = 20.0


_TINY = 5e-324  # the smallest positive float
_INF = float("inf")


def _soft_max(a, b, k):
    """(a^k + b^k)^(1/k): the roofline's max with a rounded corner; k → ∞ is the hard max."""
    hi = np.maximum(a, b)
    lo = np.minimum(a, b)
    # Times are never negative: where both are 0 the ratio is 0 / 5e-324 = 0 and so is the
    # result, without a second pass to pick it.
    return hi * (1.0 + (lo / np.maximum(hi, _TINY)) ** k) ** (1.0 / k)


def weights_read(shape: ModelShape, tokens):
    """Weight bytes one forward pass over ``tokens`` tokens reads (MoE: the experts it routes to).

    With E experts and k active per token, T tokens touch E·(1 − (1 − k/E)^T) distinct experts
    in each MoE layer if routing is uniform; a dense model reads everything, whatever the
    tokens: one number, which broadcasts with them.
    """
    if shape.moe_experts == 0:
        return float(shape.weight_bytes)
    tokens = np.asarray(tokens, dtype=float)
    e, k = shape.moe_experts, shape.moe_active
    touched = e * (1.0 - (1.0 - k / e) ** np.maximum(tokens, 0.0))
    return shape.dense_weight_bytes + shape.moe_layers * shape.expert_bytes * touched


def _all_reduce(hw: ReplicaHW, eff: Efficiency, msg_bytes, n=None):
    """All-reduce over ``n`` (default ``tp``) accelerators: 2·(n−1)/n · bytes at the
    collectives' share of the link bandwidth, plus 2·log2(n) latency steps (a reduce-scatter
    and an all-gather, each a tree or recursive halving over n ranks)."""
    n = hw.tp if n is None else n
    if isinstance(n, float):  # one replica (evaluate): no array work for the rank count
        if n <= 1.0:
            return 0.0
        return 2.0 * (n - 1.0) / n * msg_bytes / (hw.link_bw * eff.comm) \
            + 2.0 * math.log2(n) * hw.link_lat
    tp = np.asarray(n, float)
    safe = np.maximum(tp, 1.0)
    t = 2.0 * (safe - 1.0) / safe * msg_bytes / (hw.link_bw * eff.comm) \
        + 2.0 * np.log2(safe) * hw.link_lat
    return np.where(tp > 1, t, 0.0)


def _comm(hw: ReplicaHW, shape: ModelShape, eff: Efficiency, tokens, senders=None):
    """Collectives per forward pass over ``tokens`` tokens.

    ``senders``: with data-parallel attention, the ranks that hold the tokens; each of them
    dispatches its own tokens to the experts, so fewer senders means more bytes per link.
    """
    act = tokens * (shape.hidden * ACT_BYTES)  # the same bits: ACT_BYTES is a power of two
    dp = attention_dp(hw, shape)
    tp_attn = None if _is_one(dp) else hw.tp / dp  # ranks splitting each layer's heads
    t = 2.0 * shape.layers * _all_reduce(hw, eff, act, tp_attn)  # after attention and the MLP
    # Stage hand-offs: those between systems cross the scale-out network.
    crossing = _crossings(hw)
    if not (_is_one(hw.pp) and _is_zero(crossing)):
        pp = np.asarray(hw.pp, float)
        t = t + (pp - 1.0 - crossing) * (hw.link_lat + act / (hw.link_bw * eff.comm))
    if not _is_zero(crossing):
        t = t + crossing * (hw.xlink_lat + act / (np.maximum(hw.xlink_bw, 1.0) * eff.comm))
    if shape.moe_experts:
        ep = np.asarray(hw.ep, float)
        # Each sending accelerator dispatches its share of the tokens (1/ep of them under
        # tensor-parallel attention, where every rank has them all), each token to its k
        # experts, (ep − 1)/ep of them remote, over its own link (link_bw is per
        # accelerator); combine sends the same volume back. Experts beyond the sender's
        # scale-up domain are reached over the scale-out network.
        per_sender = tokens / (ep if senders is None else np.minimum(ep, senders))
        sent = per_sender * shape.moe_active * shape.hidden * ACT_BYTES
        near = np.minimum(ep, hw.domain)
        inside = sent * (near - 1.0) / ep
        a2a = 2.0 * (inside / (hw.link_bw * eff.comm) + hw.link_lat)  # dispatch and combine
        outside = sent * np.maximum(ep - near, 0.0) / ep
        if not _is_zero(outside):
            a2a = a2a + 2.0 * np.where(
                outside > 0, outside / (np.maximum(hw.xlink_bw, 1.0) * eff.comm)
                + hw.xlink_lat, 0.0)
        t = t + shape.moe_layers * np.where(ep > 1, a2a, 0.0)
    return t


def _crossings(hw: ReplicaHW):
    """Pipeline hand-offs between systems: a replica of tp × pp accelerators whose stages
    fill scale-up domains one after another crosses ceil(tp·pp / domain) − 1 times."""
    tp, pp, domain = hw.tp, hw.pp, hw.domain
    if type(domain) is float:  # noqa: E721 (exactly a float: one replica, no array work)
        if domain == _INF:
            return 0.0
        if type(tp) is float and type(pp) is float:  # noqa: E721
            return float(min(max(math.ceil(tp * pp / domain) - 1.0, 0.0), pp - 1.0))
    return np.minimum(np.maximum(np.ceil(hw.tp * hw.pp / hw.domain) - 1.0, 0.0), hw.pp - 1.0)


def _is_zero(x) -> bool:
    return isinstance(x, float) and x == 0.0


def _fixed(shape: ModelShape, eff: Efficiency, passes=1.0):
    """What ``passes`` forward passes cost however little they compute: the engine's step,
    each layer's launches and each MoE layer's routing."""
    per_pass = eff.step_overhead_us + shape.layers * eff.layer_overhead_us \
        + shape.moe_layers * eff.moe_overhead_us
    return passes * per_pass * 1e-6


def _is_one(x) -> bool:
    """A plain 1.0 (no data-parallel attention, one KV copy): the formulas' common case."""
    return isinstance(x, float) and x == 1.0


def _gemm_flops_time(hw: ReplicaHW, shape: ModelShape, eff: Efficiency, tokens, par, dp,
                     par_dense, routed_load=1.0):
    """Matmul seconds for ``tokens`` tokens: all of it over ``par`` accelerators, or, with
    data-parallel attention, the non-expert part over the ranks that hold the tokens.

    Each part runs at the compute efficiency its per-accelerator width allows: the dense MLP
    split over the tensor-parallel ranks of attention, a routed expert over tp/ep ranks.
    ``routed_load`` is the busiest expert-parallel group's share of the routed work over the
    mean (:mod:`planner_core.engine.expert_balance`).
    """
    tp_attn = hw.tp if _is_one(dp) else hw.tp / dp
    # One replica's plain numbers stay plain (the same IEEE arithmetic, without numpy's
    # per-call cost); candidates stacked as arrays go through numpy.
    dense_w = shape.ffn / (max(tp_attn, 1.0) if type(tp_attn) is float  # noqa: E721
                           else np.maximum(tp_attn, 1.0))
    dense = shape.dense_active / par_dense / _width_eff(eff, dense_w)
    if not shape.moe_experts:
        return 2.0 * tokens * dense / (hw.flops * eff.compute)
    expert_w = shape.expert_ffn * np.minimum(np.asarray(hw.ep, float), hw.tp) / hw.tp
    routed = shape.routed_active * routed_load / par / _width_eff(eff, expert_w)
    return 2.0 * tokens * (dense / eff.compute + routed / eff.moe_compute) / hw.flops


def _width_eff(eff: Efficiency, width):
    """Share of the wide-matrix efficiency a matmul ``width`` columns wide reaches."""
    return width / (width + eff.gemm_half_width)


def decode_step(hw: ReplicaHW, shape: ModelShape, eff: Efficiency, batch, context) -> np.ndarray:
    """Seconds per output token of each of ``batch`` sequences whose KV caches hold
    ``context`` tokens: one decode step, or with speculative decoding a verify step of
    1 + k tokens per sequence (plus drafting them) over the tokens it gains on average,
    (1 − a^(k+1)) / (1 − a) for k drafted tokens each accepted with probability a.

    Weights are read once per step (pipeline stages run one after another for a token, so the
    weights divide over ``tp`` only); KV-cache reads and FLOPs divide over every accelerator that
    has work, i.e. ``tp × min(pp, batch)``. With data-parallel attention each rank also reads its
    own copy of the non-expert weights, and only ranks with sequences share the non-expert
    work; an MLA cache under tensor-parallel attention is read by every rank.
    """
    k = hw.spec_tokens
    if isinstance(k, float) and k == 0.0:
        return _step(hw, shape, eff, batch, context, 1.0)
    t = _step(hw, shape, eff, batch, context, 1.0 + np.asarray(k, float))
    return t * (1.0 + k * hw.spec_cost) / speculative_gain(hw)


def speculative_gain(hw: ReplicaHW):
    """Tokens each sequence gains per decode step: 1 without speculation."""
    a = np.minimum(np.asarray(hw.spec_accept, float), 0.999)
    return (1.0 - a ** (np.asarray(hw.spec_tokens, float) + 1.0)) / (1.0 - a)


def _step(hw: ReplicaHW, shape: ModelShape, eff: Efficiency, batch, context, per_seq):
    """One forward pass of ``per_seq`` new tokens for each of ``batch`` sequences."""
    b = np.maximum(np.asarray(batch, float), 1.0)
    ctx = np.asarray(context, float)
    tokens = b if _is_one(per_seq) else b * per_seq
    dp, copies = attention_dp(hw, shape), kv_copies(hw, shape)
    # One stage (the common case): every rank has work whatever the batch (b >= 1).
    par = hw.tp if _is_one(hw.pp) else hw.tp * np.minimum(hw.pp, b)
    # Accelerators sharing the non-expert work: tensor-parallel ranks of each busy data-
    # parallel rank and pipeline stage.
    par_dense = par if _is_one(dp) else hw.tp / dp * np.minimum(hw.pp * dp, b)
    weights = weights_read(shape, tokens)
    load_w = load_c = 1.0
    if shape.moe_experts:
        # The busiest expert-parallel group sets the pace (a step routes few tokens).
        load_w, load_c = expert_imbalance(shape.moe_experts, shape.moe_active,
                                          np.minimum(hw.ep, hw.tp), tokens)
        weights = weights + (weights - shape.dense_weight_bytes) * (load_w - 1.0)
    gemm = _gemm_flops_time(hw, shape, eff, tokens, par, dp, par_dense, load_c)
    attn = 4.0 * shape.layers * shape.heads * shape.attn_width * ctx * tokens
    t_compute = gemm + attn / (par_dense * hw.attn_flops * eff.compute)
    kv = b * ctx * shape.kv_bytes_per_token
    if not _is_one(copies):
        kv = kv * copies
    if not _is_one(dp):
        weights = weights + shape.dense_weight_bytes * (dp - 1.0)
    t_memory = (weights / hw.tp + kv / par_dense) / (hw.bw * eff.memory)
    t = _soft_max(t_compute, t_memory, eff.sharpness)
    senders = None if _is_one(dp) else np.minimum(dp, b)
    # In an SRAM chain the batch flows through the stages in micro-batches, one per stage,
    # and each stage's collectives overlap the others': a step pays each layer's collectives
    # once, for one micro-batch.
    flowing = tokens if _is_zero(hw.sram) else np.where(
        np.asarray(hw.sram, float) > 0, tokens / np.minimum(hw.pp, b), tokens)
    return t + _comm(hw, shape, eff, flowing, senders) + _fixed(shape, eff)


def _new_tokens(hw: ReplicaHW, isl):
    """Prompt tokens a prefill computes: those its prefix cache does not hold."""
    c = hw.prefix_cached
    if isinstance(c, float) and c == 0.0:
        return isl
    return np.maximum(isl * (1.0 - np.asarray(c, float)), 1.0)


def prefill_time(hw: ReplicaHW, shape: ModelShape, eff: Efficiency, prompts, prompt_tokens):
    """Seconds to prefill ``prompts`` prompts of ``prompt_tokens`` tokens, batched in chunks.

    With data-parallel attention up to ``dp`` chunks run at once, one per rank (a "wave"). On
    an SRAM chain the prompt flows through the stages (all chips work on it), and the hops
    between stages are paid once, as the pipeline fills.
    """
    n = np.maximum(np.asarray(prompts, float), 1.0)
    isl = np.maximum(np.asarray(prompt_tokens, float), 1.0)
    new = _new_tokens(hw, isl)
    tokens = n * new
    chunks = np.ceil(tokens / PREFILL_CHUNK_TOKENS)
    dp, copies = attention_dp(hw, shape), kv_copies(hw, shape)
    # An SRAM chain streams the prompt through its stages a few tokens at a time, so every
    # stage works on it at once and reads only its own resident weights; a GPU pipeline
    # passes whole chunks from stage to stage.
    sram = np.asarray(hw.sram, float) > 0
    par = np.where(sram, hw.tp * hw.pp, hw.tp * np.minimum(hw.pp, chunks))
    readers = np.where(sram, hw.tp * hw.pp, hw.tp)
    if _is_one(dp):
        waves, par_dense = chunks, par
        wave_tokens = np.minimum(tokens, PREFILL_CHUNK_TOKENS)
        w = weights_read(shape, wave_tokens) * chunks / readers
    else:
        # A prompt and its KV cache stay on one rank, its chunks one after another: ranks
        # with work are at most the prompts, however long each prompt is.
        busy = np.minimum(dp, np.minimum(n, chunks))
        waves = chunks / busy
        par_dense = hw.tp / dp * np.minimum(hw.pp * busy, chunks)
        wave_tokens = np.minimum(tokens, PREFILL_CHUNK_TOKENS * busy)
        w = (weights_read(shape, wave_tokens) + shape.dense_weight_bytes * (dp - 1.0)) \
            * waves / hw.tp
    gemm = _gemm_flops_time(hw, shape, eff, tokens, par, dp, par_dense)
    # Causal attention: QK and AV each cost heads·width·isl² per layer per prompt; tokens
    # found in the prefix cache are not recomputed, but the new ones attend to them.
    attn = 2.0 * shape.layers * shape.heads * shape.attn_width * (isl * isl - (isl - new) ** 2) * n
    t_compute = gemm + attn / (par_dense * hw.attn_flops * eff.compute)
    kv = tokens * shape.kv_bytes_per_token
    if not _is_one(copies):
        kv = kv * copies
    t_memory = (w + kv / par_dense) / (hw.bw * eff.memory)
    t = _soft_max(t_compute, t_memory, eff.sharpness)
    comm = _comm(hw, shape, eff, wave_tokens, None if _is_one(dp) else busy) * waves
    # Streaming through an SRAM chain, each stage's collectives overlap the other stages'.
    comm = comm / np.where(sram, hw.pp, 1.0)
    return t + comm + _fixed(shape, eff, waves)


def prefill_per_request(hw, shape, eff, prompt_tokens) -> np.ndarray:
    """Replica-seconds one prompt costs when prompts are grouped into full chunks (one chunk
    per data-parallel attention rank)."""
    isl = np.maximum(np.asarray(prompt_tokens, float), 1.0)
    group = np.maximum(np.floor(PREFILL_CHUNK_TOKENS / _new_tokens(hw, isl)), 1.0)
    dp = attention_dp(hw, shape)
    if not _is_one(dp):
        group = group * dp
    return prefill_time(hw, shape, eff, group, isl) / group


def decode_work(hw: ReplicaHW, shape: ModelShape, batch, context):
    """(FLOPs, bytes moved from memory) per output token of each of ``batch`` sequences, over
    the whole replica: the work that draws power, whatever the step's overheads."""
    b = np.maximum(np.asarray(batch, float), 1.0)
    ctx = np.asarray(context, float)
    q = 1.0 + np.asarray(hw.spec_tokens, float)  # tokens each sequence runs per step
    dp, copies = attention_dp(hw, shape), kv_copies(hw, shape)
    flops = (2.0 * shape.active + 4.0 * shape.layers * shape.heads * shape.attn_width * ctx) \
        * b * q
    weights = weights_read(shape, b * q)
    if not _is_one(dp):
        weights = weights + shape.dense_weight_bytes * (dp - 1.0)
    kv = b * ctx * shape.kv_bytes_per_token * (1.0 if _is_one(copies) else copies)
    per_token = (1.0 + hw.spec_tokens * hw.spec_cost) / speculative_gain(hw)
    return flops * per_token, (weights + kv) * per_token


def prefill_work(hw: ReplicaHW, shape: ModelShape, prompt_tokens):
    """(FLOPs, bytes) of prefilling one prompt when prompts are grouped into full chunks."""
    isl = np.maximum(np.asarray(prompt_tokens, float), 1.0)
    new = _new_tokens(hw, isl)
    group = np.maximum(np.floor(PREFILL_CHUNK_TOKENS / new), 1.0)
    flops = 2.0 * shape.active * new \
        + 2.0 * shape.layers * shape.heads * shape.attn_width * (isl**2 - (isl - new) ** 2)
    chunk = np.minimum(new * group, PREFILL_CHUNK_TOKENS)
    weights = weights_read(shape, chunk) * np.ceil(new * group / PREFILL_CHUNK_TOKENS) / group
    dp = attention_dp(hw, shape)
    if not _is_one(dp):  # each data-parallel rank reads its own non-expert weights
        weights = weights + shape.dense_weight_bytes * (dp - 1.0) / (group * dp)
    return flops, weights + new * shape.kv_bytes_per_token
