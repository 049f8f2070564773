"""The hardware and model catalog: accelerators, systems and models, every figure with its source.

The catalog is JSON under ``resources/catalog/`` validated by the pydantic models here (loaded
by :mod:`planner_core.catalog.loading`). Each numeric
specification is a :class:`Spec`: a value, the public source it comes from and a grade, so the
architect can see how firm a number is. Grades follow ``shared/reference/hardware.md``:

- ``P`` primary (vendor datasheet, MLCommons system description, official repository)
- ``S`` secondary (press, wiki, a blog summarising a vendor)
- ``S?`` secondary and weak or conflicting
- ``claim`` a vendor's announcement or claim, not independently measured
- ``derived`` arithmetic on sourced figures (the source says from what)
- ``assumption`` no public figure found; our stated assumption (the source says why)
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from planner_core.errors import PlannerError

Grade = Literal["P", "S", "S?", "claim", "derived", "assumption"]
Precision = Literal["fp16", "bf16", "fp8", "int8", "fp4", "int4"]
ComputeKey = Literal["bf16", "fp8", "int8", "fp4"]

#: Bytes per stored value for each precision.
BYTES_PER_VALUE: dict[str, float] = {
    "fp16": 2.0, "bf16": 2.0, "fp8": 1.0, "int8": 1.0, "fp4": 0.5, "int4": 0.5,
}
#: Which dense-FLOPS figure a precision's matrix multiplies run at.
COMPUTE_KEY: dict[str, str] = {
    "fp16": "bf16", "bf16": "bf16", "fp8": "fp8", "int8": "int8", "fp4": "fp4", "int4": "fp4",
}

#: How much a figure of each grade may be off, as a relative standard deviation. Used by the
#: uncertainty analysis; stated here so the catalog and the analysis agree.
GRADE_SPREAD: dict[str, float] = {
    "P": 0.03, "derived": 0.05, "S": 0.08, "S?": 0.20, "claim": 0.30, "assumption": 0.25,
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Spec(_Strict):
    """One sourced figure."""

    value: float = Field(allow_inf_nan=False)
    source: str = Field(min_length=1)
    grade: Grade
    note: str | None = None

    @field_validator("value")
    @classmethod
    def _non_negative(cls, v: float) -> float:
        if v < 0:
            raise ValueError("must not be negative")
        return v


class Dated(_Strict):
    """A sourced month: when a system ships."""

    value: str = Field(pattern=r"^(19|20|21)\d\d-(0[1-9]|1[0-2])$")
    source: str = Field(min_length=1)
    grade: Grade
    note: str | None = None


class MigProfile(_Strict):
    """One MIG GPU-instance profile: its share of a GPU's compute and memory slices."""

    name: str
    compute_slices: int = Field(ge=1, le=7)
    memory_slices: int = Field(ge=1, le=8)
    max_instances: int = Field(ge=1, le=7)
    memory_gib: float | None = Field(default=None, gt=0)
    sms: int | None = Field(default=None, gt=0)
    media_extensions: bool = False


class MigSpec(_Strict):
    """MIG slicing of one GPU model. Placement rules follow NVIDIA's slice model."""

    compute_slices: int = 7
    memory_slices: int = 8
    profiles: list[MigProfile]
    source: str
    grade: Grade

    def profile(self, name: str) -> MigProfile:
        for p in self.profiles:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.profiles)
        raise PlannerError(f"unknown MIG profile {name!r}; this GPU offers {known}")


class Accelerator(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$")
    name: str
    vendor: str
    family: str = Field(description="Calibration family, e.g. hopper, blackwell, cdna3, lpu")
    architecture: Literal["hbm", "sram", "dram"] = Field(
        description="Where the weights live while serving: HBM/DRAM streamed each step, or "
        "on-chip SRAM spread over many chips (LPU, wafer-scale)."
    )
    status: Literal["shipping", "announced", "claimed"] = "shipping"
    memory_gb: Spec
    #: What the driver exposes (nvidia-smi, amd-smi), in GiB: the vendor's "80 GB" is 80 GiB
    #: on most HBM parts, 7% more bytes than the decimal figure, which decides how many
    #: sequences fit where the weights nearly fill the memory.
    memory_reported_gib: Spec | None = None
    memory_bw_gbs: Spec
    sram_mb: Spec | None = None
    sram_bw_tbs: Spec | None = None
    dense_tflops: dict[ComputeKey, Spec]
    tdp_w: Spec
    idle_w: Spec
    #: The board power limit the vendor itself sets for power-optimised runs (MLPerf
    #: "MaxQ"), where it published one: a sourced starting point for a pool's power limit.
    power_optimised_limit_w: Spec | None = None
    scaleup_bw_gbs: Spec = Field(description="Scale-up bandwidth per accelerator, one direction")
    scaleup_latency_us: Spec
    price_usd: Spec | None = None
    #: Cloud rent per accelerator-hour (on demand). What a pool of a rented-only system
    #: costs; for the others, what owning is compared with.
    rent_usd_per_hour: Spec | None = None
    precisions: list[Precision]
    default_precision: Precision
    mig: MigSpec | None = None
    notes: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Accelerator:
        if self.default_precision not in self.precisions:
            raise ValueError(f"default_precision {self.default_precision} not in precisions")
        for p in self.precisions:
            if COMPUTE_KEY[p] not in self.dense_tflops:
                raise ValueError(f"precision {p} listed but no dense_tflops[{COMPUTE_KEY[p]}]")
        if self.architecture == "sram" and self.sram_mb is None:
            raise ValueError("an SRAM-resident accelerator needs sram_mb")
        if self.idle_w.value > self.tdp_w.value:
            raise ValueError("idle_w exceeds tdp_w")
        lim = self.power_optimised_limit_w
        if lim is not None and not self.idle_w.value < lim.value <= self.tdp_w.value:
            raise ValueError("power_optimised_limit_w must lie between idle_w and tdp_w")
        return self

    def memory_bytes(self) -> float:
        """Bytes of memory a serving engine sees: the reported GiB where the catalog has
        them, else the vendor's decimal GB figure (the smaller reading)."""
        if self.memory_reported_gib is not None:
            return self.memory_reported_gib.value * 2**30
        return self.memory_gb.value * 1e9

    def tflops(self, precision: str) -> float:
        key = COMPUTE_KEY[precision]
        if key in self.dense_tflops:
            return self.dense_tflops[key].value
        # A precision the device lacks runs at the next wider one it has.
        for fallback in ("fp8", "bf16"):
            if fallback in self.dense_tflops:
                return self.dense_tflops[fallback].value
        raise PlannerError(f"{self.id} has no dense FLOPS figure", field="dense_tflops")


class System(_Strict):
    """A building block an architect racks: a server, a whole rack, a node or a wafer system."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$")
    name: str
    vendor: str
    status: Literal["shipping", "announced", "claimed"] = "shipping"
    accelerator: str
    accelerators: int = Field(ge=1)
    form: Literal["server", "rack"]
    rack_units: int | None = Field(default=None, ge=1, le=52)
    cooling: Literal["air", "liquid"]
    host_power_w: Spec = Field(description="CPUs, memory, NICs, fans, in-system switches")
    scaleup_domain: int = Field(ge=1, description="Accelerators sharing one scale-up fabric")
    scaleup_bw_gbs: Spec = Field(description="Scale-up bandwidth per accelerator, one direction")
    scaleout_gbps: Spec = Field(description="Scale-out network bandwidth per system")
    scaleout_ports: int | None = Field(default=None, ge=1, le=1024, description=(
        "Ports that bandwidth comes through; None = one per accelerator"))
    liquid_option: bool = Field(default=False, description=(
        "An air-cooled system also sold with direct-to-chip liquid cooling"))
    weight_kg: Spec | None = Field(default=None, description="One system, installed")
    available_from: Dated | None = Field(default=None, description=(
        "First month it ships in volume; None = available today"))
    price_usd: Spec | None = Field(default=None, description=(
        "Purchase price of one system; None = rented only (a cloud part): pools of it cost "
        "the accelerator's rent, or the pool's own"))
    max_power_w: Spec | None = None
    notes: str | None = None

    @property
    def rented(self) -> bool:
        """Sold only as a cloud rental: a pool of it is paid by the hour, not bought."""
        return self.price_usd is None

    @model_validator(mode="after")
    def _form(self) -> System:
        if self.form == "server" and self.rack_units is None:
            raise ValueError("a server needs rack_units")
        return self

    @property
    def ports(self) -> int:
        """Scale-out ports per system."""
        return self.scaleout_ports or self.accelerators

    @property
    def port_gbps(self) -> float:
        return self.scaleout_gbps.value / self.ports


class MoE(_Strict):
    experts: int = Field(ge=1)
    active_experts: int = Field(ge=1)
    shared_experts: int = Field(default=0, ge=0)
    expert_ffn: int = Field(ge=1)
    moe_layers: int = Field(ge=1)
    dense_layers: int = Field(default=0, ge=0)
    dense_ffn: int | None = None


class MLA(_Strict):
    kv_lora_rank: int
    rope_dim: int
    q_lora_rank: int | None = None
    qk_nope_dim: int = 128
    v_head_dim: int = 128


class Model(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$")
    name: str
    aliases: list[str] = []
    params_b: float = Field(gt=0)
    active_params_b: float = Field(gt=0)
    layers: int = Field(ge=1)
    hidden: int = Field(ge=1)
    heads: int = Field(ge=1)
    kv_heads: int = Field(ge=1)
    head_dim: int = Field(ge=1)
    ffn: int = Field(ge=1, description="Dense FFN width (for MoE, the dense layers' width)")
    vocab: int = Field(ge=1)
    max_context: int = Field(ge=1)
    kv_layout: Literal["gqa", "mla"]
    moe: MoE | None = None
    mla: MLA | None = None
    source: str
    grade: Grade
    notes: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Model:
        if self.active_params_b > self.params_b:
            raise ValueError("active_params_b exceeds params_b")
        if self.kv_layout == "mla" and self.mla is None:
            raise ValueError("kv_layout 'mla' needs an 'mla' block")
        if self.heads % self.kv_heads:
            raise ValueError("heads must be a multiple of kv_heads")
        return self


class CatalogFile(_Strict):
    """The layout of a catalog JSON file (built-in or the user's)."""

    format: Literal["inference-planner-catalog"] = "inference-planner-catalog"
    schema_version: int = 1
    accelerators: list[Accelerator] = []
    systems: list[System] = []
    models: list[Model] = []
