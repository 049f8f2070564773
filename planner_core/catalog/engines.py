"""Serving engines: which software runs a pool, and how each hands memory to the KV cache.

The same accelerator serves 30% or more faster or slower depending on the engine, so the
engine is a plan input (``pool.engine``) and the calibration keeps its knobs per engine and
accelerator family. What differs structurally, and is stated here with its source, is how
each engine divides an accelerator's memory between weights, its own workspace and the KV
cache; the speed differences are fitted (:mod:`planner_core.evidence.fit`).
"""

from __future__ import annotations

from dataclasses import dataclass

from planner_core.errors import PlannerError


@dataclass(frozen=True)
class ServingEngine:
    id: str
    name: str
    #: Vendors whose accelerators the engine runs on; empty = any but ``not_on``.
    vendors: tuple[str, ...]
    #: "free": the KV cache gets ``kv_fraction`` of what is left after weights and workspace
    #: (TensorRT-LLM); "total": weights, workspace and KV cache together get ``kv_fraction``
    #: of the memory (vLLM, SGLang).
    fraction_of: str
    kv_fraction: float
    #: Activation buffers, CUDA graphs, communication buffers and context, per accelerator.
    workspace_gb: float
    source: str
    not_on: tuple[str, ...] = ()

    def runs_on(self, vendor: str) -> bool:
        return (not self.vendors or vendor in self.vendors) and vendor not in self.not_on


ENGINES: dict[str, ServingEngine] = {e.id: e for e in (
    ServingEngine(
        "trtllm", "TensorRT-LLM", ("NVIDIA",), "free", 0.90, 3.0,
        "TensorRT-LLM KvCacheConfig.free_gpu_memory_fraction, default 0.9 of the memory free "
        "after weights and activations (NVIDIA/TensorRT-LLM docs, llm-api reference); "
        "workspace 3 GB per GPU is an assumption (activations for max_num_tokens 8192, "
        "CUDA context)"),
    ServingEngine(
        "vllm", "vLLM", ("NVIDIA", "AMD", "Google", "Intel", "AWS"), "total", 0.90, 2.5,
        "vLLM --gpu-memory-utilization, default 0.9 of the memory for weights, activations "
        "and KV cache (docs.vllm.ai engine arguments); activation profile and CUDA graphs "
        "2.5 GB per GPU is an assumption"),
    ServingEngine(
        "sglang", "SGLang", ("NVIDIA", "AMD"), "total", 0.88, 0.0,
        "SGLang --mem-fraction-static: the share of memory for weights and the KV pool, the "
        "rest left to activations and CUDA graphs (sgl-project/sglang server arguments); "
        "SGLang picks it from the GPU's size, larger GPUs keeping a larger share; 0.88 is an "
        "assumption for 80-288 GB parts"),
    ServingEngine(
        "vendor", "the vendor's own stack", (), "free", 0.92, 1.5,
        "the accelerator vendor's serving stack (GroqCloud, Cerebras Inference, JetStream, "
        "Neuron, Gaudi); no public allocation rule, so assumption: 92% of the memory left "
        "after weights and 1.5 GB of workspace",
        # NVIDIA's and AMD's own stacks are the named engines (TensorRT-LLM; ROCm builds
        # of vLLM and SGLang).
        not_on=("NVIDIA", "AMD")),
)}

#: What ``pool.engine = "auto"`` means: each vendor's usual production engine.
DEFAULT_BY_VENDOR = {"NVIDIA": "trtllm", "AMD": "vllm"}
ENGINE_CHOICES = ("auto", *ENGINES)


def engine_for(choice: str, vendor: str, architecture: str) -> ServingEngine:
    """The engine a pool runs: its choice, or for "auto" the vendor's usual one."""
    if choice == "auto":
        if architecture == "sram":
            return ENGINES["vendor"]
        return ENGINES[DEFAULT_BY_VENDOR.get(vendor, "vendor")]
    try:
        engine = ENGINES[choice]
    except KeyError:
        raise PlannerError(f"unknown serving engine {choice!r}; one of "
                           f"{', '.join(ENGINE_CHOICES)}", field="engine") from None
    if not engine.runs_on(vendor):
        usable = ", ".join(e.id for e in ENGINES.values() if e.runs_on(vendor))
        raise PlannerError(f"{engine.name} does not run on {vendor} accelerators; choose "
                           f"{usable} or auto", field="engine")
    if architecture == "sram" and choice != "vendor":
        raise PlannerError(f"{engine.name} does not run on SRAM chip chains; they run their "
                           "vendor's own stack", field="engine")
    return engine
