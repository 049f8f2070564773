"""Benchmark files of every supported tool as measurement cases (fixtures written from each
tool's documented output fields; numbers invented)."""

import shutil
from pathlib import Path

import pytest

from planner_core import PlannerError
from planner_core.evidence.cases import read_cases
from planner_core.evidence.imports import Hints, import_measurements, read_runs
from planner_core.evidence.validation import validate_cases

DATA = Path(__file__).parent.parent / "data" / "benchmarks"
MLPERF = DATA / "mlperf/H200-SXM-141GBx8_TRT/llama2-70b-99/Offline/performance/run_1" \
    / "mlperf_log_summary.txt"
GENAI_CSV = DATA / "meta-llama_Llama-3.1-70B-Instruct-openai-chat-concurrency50" \
    / "profile_export_genai_perf.csv"
H200 = Hints(system="h200-sxm-141gb")


def _cases(path, **hints):
    return import_measurements([path], Hints(**{"system": "h200-sxm-141gb", **hints})).cases


def _metrics(df):
    return dict(zip(df.metric, df.measured, strict=True))


@pytest.mark.parametrize("path,fmt", [
    (DATA / "vllm_bench_serve.json", "vLLM bench serve result"),
    (DATA / "benchmark_serving_rate.json", "vLLM bench serve result"),
    (DATA / "sglang_bench_serving.jsonl", "SGLang bench_serving output"),
    (DATA / "profile_export_genai_perf.json", "genai-perf / AIPerf export"),
    (GENAI_CSV, "genai-perf / AIPerf export"),
    (DATA / "profile_export_aiperf.json", "genai-perf / AIPerf export"),
    (DATA / "guidellm_report.json", "GuideLLM report"),
    (DATA / "trtllm_bench_report.txt", "trtllm-bench report"),
    (DATA / "trtllm_bench_report.json", "trtllm-bench report"),
    (MLPERF, "MLPerf LoadGen summary"),
    (Path(__file__).parent.parent.parent / "resources" / "calibration_cases.csv", "case CSV"),
])
def test_each_format_is_recognised_by_its_content(path, fmt):
    assert read_runs(path)[0] == fmt


def test_vllm_at_a_concurrency_gives_throughput_and_latencies():
    df = _cases(DATA / "vllm_bench_serve.json")
    assert set(df.scenario) == {"concurrency"} and set(df.concurrency) == {32}
    assert _metrics(df) == {"output_tok_s": pytest.approx(1988.35, rel=1e-4), "ttft_ms": 96.4,
                            "itl_ms": 15.3}  # mean TPOT, as the planner's ITL
    row = df.iloc[0]
    assert (row.model, row.engine, row.tp, row.isl, row.osl) == ("llama-3.1-8b", "vllm", 1,
                                                                 1024, 256)
    assert "read as catalog 'llama-3.1-8b'" in row.source


def test_a_request_rate_gives_latencies_at_that_rate_with_the_p99():
    df = _cases(DATA / "benchmark_serving_rate.json", accelerators=2, tp=2)
    assert set(df.scenario) == {"rate"} and set(df.rate_rps) == {4.0}
    assert set(df.metric) == {"ttft_ms", "ttft_p99_ms", "itl_ms"}
    assert df.iloc[0].accelerators == 2 and df.iloc[0].tp == 2


def test_sglang_lines_each_become_a_run_with_the_servers_model_and_tp():
    df = _cases(DATA / "sglang_bench_serving.jsonl")
    assert sorted(set(df.concurrency)) == [16, 64]
    assert set(df.model) == {"deepseek-v3"} and set(df.tp) == {8} and set(df.engine) == {"sglang"}
    assert len(df) == 6


def test_genai_perf_json_and_csv_agree_and_the_csv_load_comes_from_its_folder():
    a = _cases(DATA / "profile_export_genai_perf.json", engine="trtllm")
    b = _cases(GENAI_CSV, engine="trtllm")
    assert _metrics(a) == _metrics(b) == {"output_tok_s": 855.0, "ttft_ms": 830.2,
                                          "itl_ms": 58.9}
    assert set(a.concurrency) == set(b.concurrency) == {50}
    assert (a.iloc[0].isl, a.iloc[0].osl) == (5000, 500)
    assert "folder name" in b.iloc[0].source


def test_genai_perf_needs_the_engine_its_file_cannot_name():
    with pytest.raises(PlannerError, match="give --engine"):
        _cases(DATA / "profile_export_genai_perf.json")


def test_guidellm_gives_one_run_per_strategy():
    df = _cases(DATA / "guidellm_report.json", engine="vllm")
    runs = df.drop_duplicates("case_id").groupby(df.case_id.str.rsplit("-", n=1).str[0])
    assert df[df.metric == "output_tok_s"].scenario.tolist() == ["concurrency", "concurrency"]
    assert sorted(df.concurrency.dropna().unique()) == [1, 16]
    poisson = df[df.scenario == "rate"]
    assert set(poisson.rate_rps) == {4.5} and "ttft_p99_ms" in set(poisson.metric)
    assert runs.ngroups >= 3


def test_trtllm_bench_is_offline_unless_the_concurrency_is_given():
    df = _cases(DATA / "trtllm_bench_report.txt")
    assert df.scenario.tolist() == ["offline"] and df.metric.tolist() == ["output_tok_s"]
    assert (df.iloc[0].tp, df.iloc[0].pp, df.iloc[0].weight_precision) == (2, 1, "fp8")
    j = _cases(DATA / "trtllm_bench_report.json", concurrency=64)
    assert set(j.scenario) == {"concurrency"}
    assert _metrics(j) == {"output_tok_s": 2133.3333, "ttft_ms": 420.5, "itl_ms": 28.1549}


def test_an_mlperf_summary_takes_model_and_system_from_its_folders_and_lengths_from_flags():
    with pytest.raises(PlannerError, match="give --isl and --osl"):
        _cases(MLPERF, engine="trtllm")
    df = _cases(MLPERF, engine="trtllm", isl=300, osl=291)
    row = df.iloc[0]
    assert (row.model, row.accelerators, row.scenario, row.metric) == (
        "llama-2-70b", 8, "offline", "output_tok_s")
    assert row.measured == pytest.approx(30401.7)
    # Flags fill lengths a file lacks, never replace measured ones.
    v = _cases(DATA / "vllm_bench_serve.json", isl=300, osl=291)
    assert (v.iloc[0].isl, v.iloc[0].osl) == (1024, 256)


def test_imported_cases_are_valid_cases_and_validate_predicts_them(tmp_path):
    files = [DATA / "vllm_bench_serve.json", DATA / "sglang_bench_serving.jsonl",
             DATA / "profile_export_aiperf.json", MLPERF]
    result = import_measurements(files, Hints(system="h200-sxm-141gb", engine="vllm",
                                              isl=300, osl=291))
    out = tmp_path / "cases.csv"
    result.cases.to_csv(out, index=False)
    assert len(read_cases(out)) == len(result.cases)
    summary = validate_cases(out)
    assert summary.count == len(result.cases)
    assert summary.table.predicted.notna().sum() >= len(result.cases) - len(summary.unpredicted)


def test_the_hardware_is_never_guessed():
    with pytest.raises(PlannerError, match="give --system"):
        import_measurements([DATA / "vllm_bench_serve.json"], Hints())
    with pytest.raises(PlannerError, match="neither an accelerator nor a system"):
        import_measurements([DATA / "vllm_bench_serve.json"], Hints(system="h900"))


@pytest.mark.parametrize("name,text,expected", [
    ("truncated.json", '{"date": "20250918-101532", "model_id": "x", "output_thr',
     "not well-formed JSON"),
    ("missing.csv", "case_id,source,system,model\nx,y,h200-sxm-141gb,llama-3.1-8b\n",
     "missing column"),
    ("other.json", '{"hello": 1}', "not a benchmark result this planner reads"),
    ("empty.txt", "", "empty"),
])
def test_bad_files_are_refused_with_one_line_naming_them(tmp_path, name, text, expected):
    bad = tmp_path / name
    bad.write_text(text)
    with pytest.raises(PlannerError) as err:
        import_measurements([bad], H200)
    assert expected in str(err.value) and name in str(err.value)
    assert len(str(err.value).splitlines()) == 1


def test_a_summary_of_an_unknown_model_asks_for_it(tmp_path):
    folder = tmp_path / "SYS_x8_TRT" / "gptj-99" / "Offline" / "performance" / "run_1"
    folder.mkdir(parents=True)
    shutil.copy(MLPERF, folder / "mlperf_log_summary.txt")
    with pytest.raises(PlannerError, match="'gptj' matches no catalog model.*--model"):
        _cases(folder / "mlperf_log_summary.txt", engine="trtllm", isl=300, osl=291)
    ok = _cases(folder / "mlperf_log_summary.txt", engine="trtllm", isl=300, osl=291,
                model="llama-3.1-8b")
    assert set(ok.model) == {"llama-3.1-8b"}


def test_one_bad_file_among_good_ones_imports_nothing(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text("{")
    with pytest.raises(PlannerError) as err:
        import_measurements([DATA / "vllm_bench_serve.json", bad, tmp_path / "gone.json"],
                            H200)
    lines = str(err.value).splitlines()
    assert len(lines) == 2 and "broken.json" in lines[0] and "gone.json" in lines[1]
