"""`gui --catalog FILE`: the window opens a plan that names your own model, remembers the
file for the next start, forgets it with --builtin-catalog, and starts on the built-in catalog
(saying why) when a remembered file has gone."""

import json
import os
import subprocess
import sys

from planner_core import load_catalog
from planner_core.resources import resource_path


def _gui(args, config):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(config))
    return subprocess.run([sys.executable, "-m", "app", "gui", *args], env=env,
                          capture_output=True, text=True, timeout=180)


def test_a_plan_with_your_own_model_opens_with_your_catalog(tmp_path):
    model = load_catalog().model("llama-3.1-70b").model_dump(mode="json", exclude_none=True)
    model.update(id="acme-70b", name="ACME 70B", aliases=[])
    mine = tmp_path / "mine.json"
    mine.write_text(json.dumps({"models": [model],
                                "systems": {"gb200-nvl72": {"price_usd": 2_800_000}}}))
    plan = json.loads(resource_path("examples", "llama70b-chat.json").read_text())
    plan["workloads"][0]["model"] = "acme-70b"
    plan["scenarios"] = []
    plan_file = tmp_path / "acme.json"
    plan_file.write_text(json.dumps(plan))
    config = tmp_path / "config"
    shot = tmp_path / "shot.png"

    refused = _gui([str(plan_file), "--screenshot", str(shot)], config)
    assert refused.returncode == 3 and "unknown model id 'acme-70b'" in refused.stderr
    opened = _gui([str(plan_file), "--catalog", str(mine), "--screenshot", str(shot)], config)
    assert opened.returncode == 0, opened.stderr
    assert shot.stat().st_size > 10_000
    again = _gui([str(plan_file), "--screenshot", str(shot)], config)  # remembered
    assert again.returncode == 0, again.stderr
    forgot = _gui([str(plan_file), "--builtin-catalog", "--screenshot", str(shot)], config)
    assert forgot.returncode == 3
    _gui([str(plan_file), "--catalog", str(mine), "--screenshot", str(shot)], config)
    mine.unlink()  # the remembered file has gone: the built-in catalog, not a crash
    gone = _gui(["--screenshot", str(shot)], config)
    assert gone.returncode == 0, gone.stderr


def test_a_broken_catalog_named_now_is_one_clear_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"systems": {"hgx-h200": {"price_usd": "cheap"}}}')
    out = _gui(["--catalog", str(bad), "--screenshot", str(tmp_path / "x.png")],
               tmp_path / "config")
    assert out.returncode == 3
    assert "bad.json" in out.stderr and "price_usd" in out.stderr
    assert "Traceback" not in out.stderr
