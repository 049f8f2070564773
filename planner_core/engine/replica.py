"""A replica: the hardware holding one copy of the model, reduced to the numbers the formulas use.

A replica is ``tp × pp`` accelerators of a system, a MIG slice of one GPU, or a chain of SRAM
chips. :class:`ReplicaHW` carries per-accelerator capacities already scaled for MIG slices, so
the performance formulas do not care which of these it is. Every field may be a numpy array,
so one call evaluates many configurations.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from planner_core.catalog import BYTES_PER_VALUE, COMPUTE_KEY, Accelerator, Catalog, Model, System
from planner_core.catalog.engines import ServingEngine, engine_for
from planner_core.errors import PlannerError

ArrayLike = float | np.ndarray

#: Latency of one collective step over the scale-out network (RDMA over InfiniBand or RoCE,
#: through a switch). Assumption: 5 µs, between NVLink's few µs and a TCP hop's tens.
XLINK_LATENCY_S = 5e-6

#: Largest running batch a serving engine schedules by default (TensorRT-LLM's and vLLM's
#: usual cap); a pool's layout.max_batch sets its own.
MAX_BATCH = 2048.0


@dataclass(frozen=True)
class ReplicaHW:
    """Hardware of one replica. Per-accelerator figures are SI units (bytes, bytes/s, FLOP/s)."""

    tp: ArrayLike  # accelerators splitting each layer (tensor parallel, or chips per layer)
    pp: ArrayLike  # pipeline stages
    ep: ArrayLike  # expert-parallel degree (MoE)
    mem_bytes: ArrayLike  # capacity per accelerator (or per slice)
    bw: ArrayLike  # memory bandwidth per accelerator, bytes/s
    flops: ArrayLike  # dense FLOP/s per accelerator at the weights' precision
    attn_flops: ArrayLike  # dense FLOP/s at the KV cache's precision (attention)
    link_bw: ArrayLike  # scale-up bandwidth per accelerator, one direction, bytes/s
    link_lat: ArrayLike  # latency of one collective step, s
    # Where a replica spans systems: the scale-up domain's size, and the scale-out network
    # (InfiniBand, Ethernet) per accelerator that carries what crosses from one to the next.
    domain: ArrayLike = float("inf")
    xlink_bw: ArrayLike = 0.0  # bytes/s per accelerator, one direction
    xlink_lat: ArrayLike = XLINK_LATENCY_S
    sram: ArrayLike = 0.0  # 1.0 for SRAM-resident designs (LPU, wafer), else 0.0
    max_batch: ArrayLike = MAX_BATCH  # the scheduler's cap on sequences, per scheduler
    family: str = "hopper"
    accelerator_id: str = ""
    mig_profile: str | None = None
    # How the serving engine divides memory (catalog.engines): the KV cache gets kv_fraction
    # of what is free after weights and workspace (kv_of_total = 0), or weights, workspace and
    # KV cache together get kv_fraction of all of it (kv_of_total = 1).
    kv_fraction: ArrayLike = 0.92
    kv_of_total: ArrayLike = 0.0
    workspace_bytes: ArrayLike = 1.5e9  # per accelerator
    engine: str = "vendor"
    #: Attention data-parallel over the tp ranks for an MLA model: None = when ep > 1.
    dp_attention: bool | None = None
    # How the engine is set to serve the workload on this replica: speculative decoding
    # (drafted tokens per step, each accepted with probability spec_accept, drafting at
    # spec_cost of a step per token) and the share of prompt tokens its prefix cache holds.
    spec_tokens: ArrayLike = 0.0
    spec_accept: ArrayLike = 0.0
    spec_cost: ArrayLike = 0.0
    prefix_cached: ArrayLike = 0.0
    #: Share of the clock the accelerators run at when busy, relative to their default power
    #: limit (below 1 under a lower board power limit: :mod:`planner_core.engine.power_cap`).
    #: ``flops`` and ``attn_flops`` are already at this clock.
    clock: ArrayLike = 1.0

    @property
    def n_acc(self) -> ArrayLike:
        return self.tp * self.pp

    def with_(self, **kw) -> ReplicaHW:
        return replace(self, **kw)


@dataclass(frozen=True)
class ModelShape:
    """The model numbers the formulas use, at a chosen precision."""

    params: float  # total parameters
    active: float  # parameters touched per token
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    vocab: int
    kv_bytes_per_token: float
    weight_bytes: float
    w_bytes_per_param: float
    moe_experts: int = 0
    moe_active: int = 0
    moe_layers: int = 0
    expert_bytes: float = 0.0  # one routed expert's weights in one layer
    attn_width: int = field(default=0)  # per-head width QK·V work scales with (MLA: latent)
    kv_latent: bool = False  # MLA: one compressed KV vector per token, shared by every head
    ffn: int = 0  # dense MLP width (the widest matmul tensor parallelism splits)
    expert_ffn: int = 0  # one routed expert's MLP width

    @property
    def dense_weight_bytes(self) -> float:
        """Weights read every step whatever the batch (all but the routed experts)."""
        return self.weight_bytes - self.moe_experts * self.moe_layers * self.expert_bytes

    @property
    def routed_active(self) -> float:
        """Parameters of the routed experts one token passes through (0 for a dense model)."""
        return self.moe_layers * self.moe_active * self.expert_bytes / self.w_bytes_per_param

    @property
    def dense_active(self) -> float:
        """Parameters every token passes through on its own rank: all but the routed experts."""
        return self.active - self.routed_active


def attention_dp(hw: ReplicaHW, shape: ModelShape) -> ArrayLike:
    """Data-parallel attention ranks in a replica (1 = tensor-parallel attention).

    An MLA model's KV cache is one latent vector per token shared by all heads, so tensor
    parallelism cannot split it. Its expert-parallel deployments (SGLang's DP attention,
    TensorRT-LLM's attention DP, DeepSeek's own DP32/DP144) therefore run attention data-
    parallel: each of the ``tp`` accelerators attends for its own sequences, holds their
    caches and its own copy of the non-expert weights, and the MoE all-to-all is the only
    collective. We take that layout for an MLA model with ``ep > 1`` unless the layout says
    otherwise (``dp_attention``).
    """
    if not shape.kv_latent or hw.dp_attention is False:
        return 1.0
    if hw.dp_attention:
        return hw.tp if np.ndim(hw.tp) else float(hw.tp)
    if np.ndim(hw.ep) == 0 and np.ndim(hw.tp) == 0:
        return float(hw.tp) if float(hw.ep) > 1 else 1.0
    return np.where(np.asarray(hw.ep, float) > 1, hw.tp, 1.0)


def kv_copies(hw: ReplicaHW, shape: ModelShape) -> ArrayLike:
    """How many accelerators of a replica keep the same sequence's KV cache.

    Tensor-parallel attention over an MLA model gives each of the ``tp`` ranks some of the
    heads, and every head needs the whole latent cache: it is held ``tp`` times. Otherwise
    the cache is split (GQA heads over TP, sequences over DP ranks): one copy.
    """
    if not shape.kv_latent:
        return 1.0
    copies = hw.tp / attention_dp(hw, shape)
    # An SRAM chain spreads layers (and their caches) over its chips; "tp" there is chips per
    # stage, each holding its own layers' slice, and the chain sizing counts one copy.
    if np.ndim(hw.sram) == 0:
        return 1.0 if float(hw.sram) > 0 else copies
    return np.where(np.asarray(hw.sram) > 0, 1.0, copies)


def model_shape(model: Model, weight_precision: str, kv_precision: str) -> ModelShape:
    wb = BYTES_PER_VALUE[weight_precision]
    kb = BYTES_PER_VALUE[kv_precision]
    if model.kv_layout == "mla":
        assert model.mla is not None
        kv_tok = model.layers * (model.mla.kv_lora_rank + model.mla.rope_dim) * kb
        # Absorbed MLA attention works in the latent space: per head, scores over
        # (kv_lora_rank + rope) and values over kv_lora_rank.
        attn_width = model.mla.kv_lora_rank + model.mla.rope_dim // 2
    else:
        kv_tok = 2 * model.layers * model.kv_heads * model.head_dim * kb
        attn_width = model.head_dim
    moe = model.moe
    expert_bytes = 3 * model.hidden * moe.expert_ffn * wb if moe else 0.0
    return ModelShape(
        params=model.params_b * 1e9,
        active=model.active_params_b * 1e9,
        layers=model.layers,
        hidden=model.hidden,
        heads=model.heads,
        kv_heads=model.kv_heads,
        head_dim=model.head_dim,
        vocab=model.vocab,
        kv_bytes_per_token=kv_tok,
        weight_bytes=model.params_b * 1e9 * wb,
        w_bytes_per_param=wb,
        moe_experts=moe.experts if moe else 0,
        moe_active=moe.active_experts if moe else 0,
        moe_layers=moe.moe_layers if moe else 0,
        expert_bytes=expert_bytes,
        attn_width=attn_width,
        kv_latent=model.kv_layout == "mla",
        ffn=model.ffn,
        expert_ffn=moe.expert_ffn if moe else 0,
    )


def default_kv_precision(weight_precision: str) -> str:
    """Serving engines keep an 8-bit KV cache with 8-bit or 4-bit weights, else 16-bit."""
    return "fp8" if BYTES_PER_VALUE[weight_precision] <= 1.0 else "bf16"


def replica_hw(
    acc: Accelerator,
    tp: int = 1,
    pp: int = 1,
    ep: int = 1,
    weight_precision: str | None = None,
    kv_precision: str | None = None,
    system: System | None = None,
    mig_profile: str | None = None,
    engine: ServingEngine | None = None,
    dp_attention: bool | None = None,
) -> ReplicaHW:
    """Builds the replica hardware for an accelerator, a layout and (optionally) a MIG slice,
    served by ``engine`` (default: the vendor's usual one)."""
    engine = engine or engine_for("auto", acc.vendor, acc.architecture)
    wp = weight_precision or acc.default_precision
    if wp not in acc.precisions and COMPUTE_KEY[wp] not in acc.dense_tflops:
        raise PlannerError(
            f"{acc.name} does not support {wp}; it supports {', '.join(acc.precisions)}",
            field="weight_precision",
        )
    kp = kv_precision or default_kv_precision(wp)
    link_bw = (system.scaleup_bw_gbs.value if system else acc.scaleup_bw_gbs.value) * 1e9
    mem = acc.memory_bytes()
    bw = acc.memory_bw_gbs.value * 1e9
    flops = acc.tflops(wp) * 1e12
    attn = acc.tflops(kp) * 1e12
    if mig_profile is not None:
        if acc.mig is None:
            raise PlannerError(f"{acc.name} does not offer MIG", field="mig")
        prof = acc.mig.profile(mig_profile)
        mem_frac = prof.memory_slices / acc.mig.memory_slices
        compute_frac = prof.compute_slices / acc.mig.compute_slices
        if prof.memory_gib is not None:
            mem = prof.memory_gib * 2**30
        else:
            mem *= mem_frac
        # A slice owns its memory slices' share of the HBM controllers and its SMs' share
        # of the math units; a slice has no NVLink peer, so it is a one-accelerator replica.
        bw *= mem_frac
        flops *= compute_frac
        attn *= compute_frac
        if tp * pp != 1:
            raise PlannerError("a MIG slice serves a replica on its own (tp = pp = 1)",
                               field="layout")
    domain, xlink = float("inf"), 0.0
    if system is not None:
        domain = system.scaleup_domain
        xlink = system.scaleout_gbps.value * 1e9 / 8 / system.accelerators
        if tp > domain:
            raise PlannerError(
                f"tensor parallelism {tp} exceeds {system.name}'s scale-up domain of {domain}",
                field="layout.tp",
            )
    return ReplicaHW(
        tp=float(tp), pp=float(pp), ep=float(ep), mem_bytes=mem, bw=bw, flops=flops,
        attn_flops=attn, link_bw=link_bw, link_lat=acc.scaleup_latency_us.value * 1e-6,
        domain=float(domain), xlink_bw=xlink,
        sram=1.0 if acc.architecture == "sram" else 0.0, family=acc.family,
        accelerator_id=acc.id, mig_profile=mig_profile, kv_fraction=engine.kv_fraction,
        kv_of_total=1.0 if engine.fraction_of == "total" else 0.0,
        workspace_bytes=engine.workspace_gb * 1e9, engine=engine.id, dp_attention=dp_attention,
    )


def resolve(catalog: Catalog, accelerator_or_system: str) -> tuple[Accelerator, System | None]:
    if accelerator_or_system in catalog.systems:
        sys_ = catalog.system(accelerator_or_system)
        return catalog.accelerator(sys_.accelerator), sys_
    acc = catalog.accelerator(accelerator_or_system)
    systems = catalog.systems_for(acc.id)
    return acc, (max(systems, key=lambda s: s.scaleup_domain) if systems else None)
