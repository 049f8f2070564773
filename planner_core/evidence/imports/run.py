"""What a benchmark file says about one run, before it becomes rows of the case format.

Each reader (one module per tool's format) returns :class:`Run` records holding only what
the file states; :mod:`planner_core.evidence.imports.rows` completes them from the user's
flags and turns them into cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class FormatError(ValueError):
    """A file of a known format lacks what a run needs, or is not well formed: the message
    says what is missing, without the file's name (the caller adds it)."""


@dataclass
class Run:
    tool: str  # the tool that wrote the file, as users know it ("vLLM bench serve")
    scenario: str  # offline | concurrency | rate | server | single_stream
    isl: float | None  # mean prompt tokens per request
    osl: float | None  # mean output tokens per request
    metrics: dict[str, float] = field(default_factory=dict)  # case metric -> measured value
    model: str | None = None  # the model's name as the file writes it
    engine: str | None = None  # trtllm | vllm | sglang, where the file says
    hardware: str | None = None  # e.g. an MLPerf system name, where the file says
    tp: int | None = None
    pp: int | None = None
    accelerators: int | None = None
    precision: str | None = None
    concurrency: float | None = None
    rate_rps: float | None = None
    ttft_limit_ms: float | None = None  # MLPerf server: the latency limits the rate met
    tpot_limit_ms: float | None = None
    label: str = ""  # what tells runs of one file apart (date, rate, profile)
    notes: list[str] = field(default_factory=list)  # what was read from where, for the user
    #: False where the file does not record the load (trtllm-bench): the run is read as its
    #: tool's default (offline) unless the user says the concurrency it ran at, and its
    #: ``latencies`` become cases only then.
    load_stated: bool = True
    latencies: dict[str, float] = field(default_factory=dict)


def number(value, what: str) -> float:
    """A finite number from a file's field, or FormatError naming the field."""
    try:
        x = float(value)
    except (TypeError, ValueError, OverflowError):
        raise FormatError(f"{what} is not a number ({value!r})") from None
    if x != x or x in (float("inf"), float("-inf")):
        raise FormatError(f"{what} is not a finite number ({value!r})")
    return x


def positive(value, what: str) -> float:
    x = number(value, what)
    if x <= 0:
        raise FormatError(f"{what} must be above 0 (it is {x:g})")
    return x
