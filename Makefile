# The two commands a new user needs:
#   make briefing   install, then brief seeds/ -> briefings/seeds.md, .json and .html
#   make test       install with every extra, then run the whole test suite
# Both create .venv with the machine's python3 when it is missing.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
# llama-cpp-python compiles llama.cpp from source on first install (~5 min on 2 cores; pip caches the wheel).
export CMAKE_BUILD_PARALLEL_LEVEL ?= 2
RECORD_PORT ?= 8765

.PHONY: briefing test record bench eval lint format clean help

help:
	@echo "make briefing  - brief seeds/ into briefings/seeds.md, .json and .html (embedded model unless configured)"
	@echo "make test      - install every extra and run the whole test suite"
	@echo "make record    - re-record the HTTP cassettes from the embedded model server"
	@echo "make bench     - speed and cost: embedded model, against LangChain on a stub, the service under load"
	@echo "make eval      - brief seeds/ and ../shared/eval, score them against ../shared/gold, write docs/quality.md"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Stamps re-run the install whenever pyproject.toml changes.
$(VENV)/.installed-local: pyproject.toml | $(PY)
	$(PIP) install --progress-bar off -e ".[local]"
	@touch $@

$(VENV)/.installed-all: pyproject.toml | $(PY)
	$(PIP) install --progress-bar off -e ".[all]"
	@touch $@ $(VENV)/.installed-local

briefing: $(VENV)/.installed-local
	$(VENV)/bin/briefing run seeds/ -o briefings/seeds.md --json briefings/seeds.json --html briefings/seeds.html

# The HTML page's browser tests need a real Chromium: Debian's package (Playwright's own download cannot work
# offline). Installed once, only when it is missing; needs root (or sudo) and apt-get.
CHROMIUM ?= /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y chromium

# pytest exits 5 when it collected no test: that must fail, never pass by accident.
test: $(VENV)/.installed-all | $(CHROMIUM)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	@$(PY) -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: no tests ran" >&2; exit 1; fi; exit $$status

lint: $(VENV)/.installed-all
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

# Format the code the way `make test` checks it.
format: $(VENV)/.installed-all
	$(PY) -m ruff format .

# Re-record every cassette from a real embedded model server on a fixed loopback port.
record: $(VENV)/.installed-all
	$(PY) -m tests.record --port $(RECORD_PORT)

# The `bench` extra (LangChain, the peer) goes into .venv for this only; it is not part of `all`.
$(VENV)/.installed-bench: pyproject.toml | $(PY)
	$(PIP) install --progress-bar off -e ".[bench]"
	@touch $@

# Offline stages and the embedded model end to end on seeds/ and one shared cluster, cold and cached, with where
# its time goes (bench.run --embedded, ~15 min; --embedded-only re-runs just that part), then this project
# against LangChain's map-reduce on the loopback stub (bench.peer, a few minutes), then the HTTP service under
# load (bench.load).
bench: $(VENV)/.installed-all $(VENV)/.installed-bench
	$(PY) -m bench.run --embedded
	$(PY) -m bench.peer
	$(PY) -m bench.load

# Brief seeds/ and the MultiLing 2011 clusters in ../shared/eval, score them against ../shared/gold, then write
# docs/quality.md (CLUSTERS=path... for a subset; BRIEFINGS=DIR scores stored DIR/<set>.json, no model).
eval: $(VENV)/.installed-all
	$(PY) -m eval.run $(if $(BRIEFINGS),--briefings $(BRIEFINGS)) $(CLUSTERS)
	$(PY) -m eval.report

clean:
	rm -rf $(VENV) briefings .pytest_cache .hypothesis
