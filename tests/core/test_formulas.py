"""Each formula against a case computed by hand."""

import math

import numpy as np
import pytest

from planner_core.catalog.engines import ENGINES
from planner_core.engine.cost import capital_recovery_factor, usd_per_million_tokens
from planner_core.engine.memory import fit, max_sequences
from planner_core.engine.power import accelerator_watts, it_watts
from planner_core.engine.replica import model_shape, replica_hw
from planner_core.engine.step_times import Efficiency, _all_reduce, decode_step, weights_read


def test_kv_bytes_per_token_match_reference(catalog):
    # hardware.md: Llama 3.1 8B 131,072 B; 70B 327,680 B; 405B 516,096 B; DeepSeek-V3 70,272 B.
    expected = {"llama-3.1-8b": 131072, "llama-3.1-70b": 327680, "llama-3.1-405b": 516096,
                "deepseek-v3": 70272, "mixtral-8x7b": 131072}
    for ident, kv in expected.items():
        assert model_shape(catalog.model(ident), "bf16", "bf16").kv_bytes_per_token == kv
    assert model_shape(catalog.model("llama-3.1-70b"), "fp8", "fp8").kv_bytes_per_token == 163840


def test_weights_and_fit_by_hand(catalog):
    shape = model_shape(catalog.model("llama-3.1-70b"), "fp8", "fp8")
    assert shape.weight_bytes == pytest.approx(70.6e9)
    hw = replica_hw(catalog.accelerator("h100-sxm-80gb"), tp=2)
    # TensorRT-LLM (NVIDIA's default engine) gives the KV cache 90% of what the weights and
    # its 3 GB of workspace per GPU leave of the 81,559 MiB nvidia-smi reports.
    memory = 2 * 79.65 * 2**30
    kv = 0.9 * (memory - 2 * 3e9 - 70.6e9)
    per_seq = 163840 * 4096
    assert max_sequences(hw, shape, 4096) == math.floor(kv / per_seq)
    # vLLM gives weights, workspace and cache together 90% of the memory.
    vllm = replica_hw(catalog.accelerator("h100-sxm-80gb"), tp=2, engine=ENGINES["vllm"])
    kv = 0.9 * memory - 2 * 2.5e9 - 70.6e9
    assert max_sequences(vllm, shape, 4096) == math.floor(kv / per_seq)
    one = replica_hw(catalog.accelerator("h100-sxm-80gb"), tp=1)
    f = fit(one, model_shape(catalog.model("llama-3.1-70b"), "bf16", "bf16"), 4096)
    assert not f.fits and "weights need 141.2 GB" in f.reason


def test_decode_step_memory_bound_by_hand(catalog):
    # Batch 1, tiny context, hard roofline, no overhead: time = weight bytes / bandwidth.
    shape = model_shape(catalog.model("llama-3.1-8b"), "fp8", "fp8")
    hw = replica_hw(catalog.accelerator("h100-sxm-80gb"))
    eff = Efficiency(compute=1.0, memory=1.0, layer_overhead_us=0.0, sharpness=200.0,
                     step_overhead_us=0.0)
    t = float(decode_step(hw, shape, eff, 1, 1))
    kv = 65536 * 1
    assert t == pytest.approx((8.03e9 + kv) / 3350e9, rel=1e-3)


def test_layer_overhead_adds_per_layer(catalog):
    shape = model_shape(catalog.model("llama-3.1-8b"), "fp8", "fp8")
    hw = replica_hw(catalog.accelerator("h100-sxm-80gb"))
    a = float(decode_step(hw, shape, Efficiency(layer_overhead_us=0.0), 8, 100))
    b = float(decode_step(hw, shape, Efficiency(layer_overhead_us=10.0), 8, 100))
    assert b - a == pytest.approx(32 * 10e-6)


def test_step_overhead_adds_per_pass(catalog):
    shape = model_shape(catalog.model("llama-3.1-8b"), "fp8", "fp8")
    hw = replica_hw(catalog.accelerator("h100-sxm-80gb"))
    a = float(decode_step(hw, shape, Efficiency(step_overhead_us=0.0), 8, 100))
    b = float(decode_step(hw, shape, Efficiency(step_overhead_us=500.0), 8, 100))
    assert b - a == pytest.approx(500e-6)
    # A mixture of experts also pays each MoE layer's routing.
    moe = model_shape(catalog.model("mixtral-8x7b"), "fp8", "fp8")
    a = float(decode_step(hw, moe, Efficiency(moe_overhead_us=0.0), 8, 100))
    b = float(decode_step(hw, moe, Efficiency(moe_overhead_us=20.0), 8, 100))
    assert b - a == pytest.approx(32 * 20e-6)


def test_all_reduce_formula(catalog):
    hw = replica_hw(catalog.accelerator("h100-sxm-80gb"), tp=8)
    msg = 1e6
    eff = Efficiency(comm=0.5)
    # Bandwidth at the collectives' share of the link, 2·log2(8) = 6 latency steps.
    expected = 2 * 7 / 8 * msg / (hw.link_bw * 0.5) + 6 * hw.link_lat
    assert float(_all_reduce(hw, eff, msg)) == pytest.approx(expected)
    assert float(_all_reduce(replica_hw(catalog.accelerator("h100-sxm-80gb")), eff, msg)) == 0.0


def test_moe_reads_only_touched_experts(catalog):
    shape = model_shape(catalog.model("deepseek-v3"), "fp8", "fp8")
    one = float(weights_read(shape, 1))
    # One token touches 8 of 256 routed experts in each of 58 MoE layers.
    expected = shape.dense_weight_bytes + 58 * shape.expert_bytes * 8
    assert one == pytest.approx(expected, rel=1e-9)
    assert float(weights_read(shape, 1e6)) == pytest.approx(shape.weight_bytes, rel=1e-6)


def test_mig_slice_gets_its_share(catalog):
    acc = catalog.accelerator("h100-sxm-80gb")
    full = replica_hw(acc)
    s = replica_hw(acc, mig_profile="3g.40gb")
    assert s.flops == pytest.approx(full.flops * 3 / 7)
    assert s.bw == pytest.approx(full.bw * 4 / 8)
    assert s.mem_bytes == pytest.approx(39.5 * 2**30)


def test_memory_is_what_the_driver_reports(catalog):
    # The vendor's "141 GB" H200 exposes 143,771 MiB; a part without a reading keeps its GB.
    assert replica_hw(catalog.accelerator("h200-sxm-141gb")).mem_bytes == pytest.approx(
        140.4 * 2**30)
    assert replica_hw(catalog.accelerator("gaudi3")).mem_bytes == pytest.approx(128e9)


def test_power_and_cost_by_hand():
    assert accelerator_watts(100, 700, 0.5) == pytest.approx(400)
    acc, host, net = it_watts(8, 100, 700, 1, 2000, 500, np.array([0.0, 1.0]))
    assert list(acc) == [800, 5600] and list(host) == [1200, 2000] and list(net) == [500, 500]
    # 8% over 5 years: r(1+r)^n / ((1+r)^n - 1) = 0.250456...
    assert float(capital_recovery_factor(0.08, 5)) == pytest.approx(0.2504564545, rel=1e-9)
    assert float(capital_recovery_factor(0.0, 4)) == pytest.approx(0.25)
    assert float(usd_per_million_tokens(1e6, 2e12)) == pytest.approx(0.5)


def test_a_replica_spanning_systems_crosses_the_scale_out_network(catalog):
    from planner_core.engine.step_times import _comm

    acc, hgx = catalog.accelerator("h200-sxm-141gb"), catalog.system("hgx-h200")
    dense = model_shape(catalog.model("llama-3.1-405b"), "fp8", "fp8")
    two = replica_hw(acc, 8, 2, 1, "fp8", "fp8", hgx)  # 16 GPUs: two servers
    assert two.domain == 8 and two.xlink_bw == pytest.approx(
        hgx.scaleout_gbps.value * 1e9 / 8 / 8)
    eff = Efficiency(comm=1.0)
    tokens = 512.0
    act = tokens * dense.hidden * 2
    inside = two.with_(domain=float("inf"))
    # The one hand-off between the servers goes over InfiniBand instead of NVLink.
    extra = (two.xlink_lat + act / two.xlink_bw) - (two.link_lat + act / two.link_bw)
    assert float(_comm(two, dense, eff, tokens)) == pytest.approx(
        float(_comm(inside, dense, eff, tokens)) + extra)
    # Experts over two servers: what goes to the other server's experts crosses too.
    moe = model_shape(catalog.model("deepseek-v3"), "fp8", "fp8")
    ep16 = replica_hw(acc, 8, 2, 16, "fp8", "fp8", hgx)
    assert float(_comm(ep16, moe, eff, tokens)) > \
        float(_comm(ep16.with_(domain=float("inf")), moe, eff, tokens))
