# Two commands do all set-up: `make run` and `make test`. Both install into .venv first.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { command -v $$p; break; }; done)
VERSION := $(shell sed -n 's/^__version__ = "\(.*\)"/\1/p' planner_core/__init__.py)
BUNDLE_LIMIT_MB := 250
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install bytecode run test lint contract bench calibrate validate screenshots dist smoke clean

install: $(STAMP)

# Reinstalls only when pyproject.toml changes, so a second `make install` is instant.
$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed (apt-get install python3 python3-venv)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "Cannot create $(VENV): on Debian/Ubuntu install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The installed app starts from compiled modules (the installers bundle them). The checkout's
# own modules are compiled on import, and where Python may not keep what it compiled
# (PYTHONDONTWRITEBYTECODE, as on CI and these machines) every start compiles about ninety of
# them again: a tenth of a second. Compiled here once; up-to-date files are skipped.
bytecode: install
	@$(BIN)/python -m compileall -q app planner_core

run: bytecode
	$(BIN)/inference-planner gui

lint: install
	$(BIN)/ruff check .

contract: install
	$(BIN)/lint-imports

test: lint contract
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider tests; \
	rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 1; fi; exit $$rc

bench: bytecode
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tests.bench.run_all

calibrate: install
	$(BIN)/inference-planner calibrate

validate: install
	$(BIN)/inference-planner validate --quiet resources/calibration_cases.csv resources/calibration_cases_more.csv resources/power_cases.csv

# The README's pictures of the real window, one per panel, with the window's settings as a
# first start has them (not this machine's remembered docks and sizes).
screenshots: export XDG_CONFIG_HOME := $(shell mktemp -d)
screenshots: install
	$(BIN)/inference-planner gui --screenshot docs/screenshot.png --panel dashboard
	$(BIN)/inference-planner gui --screenshot docs/screenshot-racks.png --panel racks --scenario "HGX H200"
	$(BIN)/inference-planner gui resources/examples/mig-h100-8b-tenants.json --screenshot docs/screenshot-mig.png --panel mig
	$(BIN)/inference-planner gui --screenshot docs/screenshot-workloads.png --panel workloads
	$(BIN)/inference-planner gui --screenshot docs/screenshot-facility.png --panel facility
	$(BIN)/inference-planner gui resources/examples/deepseek-v3-disagg-gb200.json --screenshot docs/screenshot-site.png --panel site
	$(BIN)/inference-planner gui resources/examples/deepseek-v3-disagg-gb200.json --screenshot docs/screenshot-floor.png --panel floor --scenario "Narrow EP8"
	$(BIN)/inference-planner gui --screenshot docs/screenshot-scenarios.png --panel scenarios --scenario "HGX H200"
	$(BIN)/inference-planner gui resources/examples/platform-5000rps.json --screenshot docs/screenshot-compare.png --panel compare
	$(BIN)/inference-planner gui --screenshot docs/screenshot-optimize.png --whatif optimize
	$(BIN)/inference-planner gui --screenshot docs/screenshot-sensitivity.png --whatif sensitivity
	$(BIN)/inference-planner gui --screenshot docs/screenshot-evidence.png --panel evidence
	$(BIN)/inference-planner gui resources/examples/roadmap-2026-2030.json --screenshot docs/screenshot-roadmap.png --panel roadmap

# The frozen one-folder app, a Linux .tar.gz and a .deb of it, with their sizes. Fails when the
# bundle outgrows its size limit. `smoke` then runs what was built, as CI does.
TARBALL := dist/inference-planner-$(VERSION)-linux-x86_64.tar.gz
dist: install
	rm -rf dist build/pyinstaller build/icons
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller build.spec
	@size=$$(du -sm dist/inference-planner | cut -f1); \
	if [ $$size -gt $(BUNDLE_LIMIT_MB) ]; then \
		echo "the bundle dist/inference-planner is $$size MB, over the $(BUNDLE_LIMIT_MB) MB limit"; exit 1; fi
	tar -C dist -czf $(TARBALL) inference-planner
	$(BIN)/python .ci/linux/build_deb.py dist/inference-planner build/icons dist $(VERSION)
	@echo "built (limit for the bundle: $(BUNDLE_LIMIT_MB) MB):"
	@du -sh dist/inference-planner $(TARBALL) dist/inference-planner_$(VERSION)_*.deb | sed 's/^/  /'

smoke:
	$(BIN)/python .ci/smoke_frozen.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
