# mcp_django: `make demo` serves the demo, `make test` runs everything (conformance included).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
TOOLS := .tools
NODE22 := $(TOOLS)/node_modules/node/bin/node
CONFORMANCE := $(TOOLS)/node_modules/@modelcontextprotocol/conformance/dist/index.js
CONFORMANCE_VERSION := 0.2.0-alpha.12
# The TypeScript SDK hosts of tests/stdio (v1 client and v2 client, StdioClientTransport).
TS_SDK_V1 := $(TOOLS)/node_modules/@modelcontextprotocol/sdk/package.json
TS_SDK_V2 := $(TOOLS)/node_modules/@modelcontextprotocol/client/package.json
STDIO_CLIENTS := $(TS_SDK_V1) $(TS_SDK_V2)
PORT ?= 8000

.PHONY: setup demo test coverage lint mypy conformance bench clean system-deps dist test-matrix stdio-clients http-clients

# The package with its test extra, and what demo_project/ needs (not shipped, so no extra).
$(VENV)/.installed: pyproject.toml requirements-demo.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[test]" -r requirements-demo.txt
	touch $@

setup: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=demo_project.settings $(PY) manage.py migrate --noinput -v0
	DJANGO_SETTINGS_MODULE=demo_project.settings $(PY) manage.py loaddata demo -v0

demo: setup
	@DJANGO_SETTINGS_MODULE=demo_project.settings $(PY) manage.py demo_users --url http://127.0.0.1:$(PORT)/mcp
	@echo ""
	@echo "  MCP endpoint:          http://127.0.0.1:$(PORT)/mcp"
	@echo "  Conformance endpoint:  http://127.0.0.1:$(PORT)/conformance/mcp"
	@echo "  Admin:                 http://127.0.0.1:$(PORT)/admin/  (create a user: $(PY) manage.py createsuperuser)"
	@echo ""
	$(VENV)/bin/daphne -b 127.0.0.1 -p $(PORT) demo_project.asgi:application

$(NODE22) $(CONFORMANCE):
	mkdir -p $(TOOLS)
	test -f $(TOOLS)/package.json || echo '{"name":"mcp-django-tools","private":true}' > $(TOOLS)/package.json
	cd $(TOOLS) && npm install --no-fund --no-audit --loglevel=error node@22 @modelcontextprotocol/conformance@$(CONFORMANCE_VERSION)

$(TS_SDK_V1) $(TS_SDK_V2): | $(NODE22)
	cd $(TOOLS) && npm install --no-fund --no-audit --loglevel=error @modelcontextprotocol/sdk@1.32.2 @modelcontextprotocol/client@2.4.0

stdio-clients: $(NODE22) $(STDIO_CLIENTS)

# The MCP Inspector CLI of tests/e2e/test_http_clients.py (docs/clients.md "Over HTTP"), in a
# prefix of its own (it pins its own SDK 2.x); npm runs on Node 22, which the Inspector needs.
INSPECTOR_VERSION := 2.12.0
INSPECTOR := $(TOOLS)/inspector/node_modules/@modelcontextprotocol/inspector/package.json
HTTP_CLIENTS := $(STDIO_CLIENTS) $(INSPECTOR)

$(INSPECTOR): | $(NODE22)
	mkdir -p $(TOOLS)/inspector
	test -f $(TOOLS)/inspector/package.json || echo '{"name":"mcp-django-inspector","private":true}' > $(TOOLS)/inspector/package.json
	cd $(TOOLS)/inspector && PATH="$(abspath $(dir $(NODE22))):$$PATH" npm install --no-fund --no-audit --loglevel=error @modelcontextprotocol/inspector@$(INSPECTOR_VERSION)

http-clients: $(NODE22) $(HTTP_CLIENTS)

conformance: setup $(NODE22) $(CONFORMANCE)
	MCP_NODE=$(NODE22) MCP_CONFORMANCE=$(CONFORMANCE) $(PY) -m pytest tests/conformance -v

# nginx (deployment test) and redis-server (fault test) from Debian's packages when missing.
system-deps:
	@command -v nginx >/dev/null && command -v redis-server >/dev/null || \
	  (apt-get install -y -qq nginx-light redis-server >/dev/null 2>&1 || \
	   (apt-get update -qq && apt-get install -y -qq nginx-light redis-server >/dev/null)) || \
	  echo "could not install nginx/redis-server: their tests will fail"
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no

# tests/browser: Debian's chromium when missing, driven by npm's playwright-core in .tools/
# (never `playwright install`: no browser download).
PLAYWRIGHT_CORE := $(TOOLS)/node_modules/playwright-core/package.json
PLAYWRIGHT_CORE_VERSION := 1.65.1
.PHONY: browser-deps
browser-deps: | $(NODE22)
	@command -v chromium >/dev/null || \
	  (apt-get install -y -qq chromium >/dev/null 2>&1 || \
	   (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)) || \
	  echo "could not install chromium: tests/browser will fail"
	@test -f $(PLAYWRIGHT_CORE) || (cd $(TOOLS) && npm install --no-fund --no-audit \
	  --loglevel=error playwright-core@$(PLAYWRIGHT_CORE_VERSION))
test coverage test-matrix: browser-deps

# ruff over everything; mypy ([tool.mypy] in pyproject.toml) over the typed layers.
MYPY_PATHS := mcp_django/core mcp_django/registry mcp_django/transport

lint: setup
	$(VENV)/bin/ruff check mcp_django demo_project tests benchmarks scripts docs
	$(PY) -m mypy $(MYPY_PATHS)

mypy: setup
	$(PY) -m mypy $(MYPY_PATHS)

# The whole suite under coverage (daphne children included), failing below fail_under.
test: setup system-deps $(NODE22) $(CONFORMANCE) $(HTTP_CLIENTS) lint
	MCP_NODE=$(NODE22) MCP_CONFORMANCE=$(CONFORMANCE) scripts/test_with_coverage.sh $(PY)

# The same without lint first (`make coverage ARGS=tests/core` for a part of the suite).
coverage: setup system-deps $(NODE22) $(CONFORMANCE) $(HTTP_CLIENTS)
	MCP_NODE=$(NODE22) MCP_CONFORMANCE=$(CONFORMANCE) scripts/test_with_coverage.sh $(PY) $(ARGS)

bench: setup
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk) || echo "wrk unavailable: using the Python load generator"
	$(PY) benchmarks/run.py

# sdist + wheel into dist/ (from the sdist, so a file missing from it fails here), then the
# metadata check PyPI's upload would make.
dist: $(VENV)/.installed
	rm -rf dist
	$(PY) -m build --outdir dist .
	$(VENV)/bin/twine check --strict dist/*

# The suite on Python 3.11 + Django 5.2, 3.12 + 6.0 and 3.13 + 6.1, one venv each under
# .matrix/<pair>/, interpreters from pyenv (`make test-matrix PAIRS=3.13-6.1` for one pair).
PYENV_VERSIONS ?= $(or $(PYENV_ROOT),$(HOME)/.pyenv)/versions
PAIRS ?= 3.11-5.2 3.12-6.0 3.13-6.1

test-matrix: system-deps $(NODE22) $(CONFORMANCE) $(HTTP_CLIENTS)
	MCP_NODE=$(NODE22) MCP_CONFORMANCE=$(CONFORMANCE) scripts/test_matrix.sh $(PYENV_VERSIONS) $(PAIRS)

clean:
	rm -rf $(VENV) $(TOOLS) demo.sqlite3 .coverage-data .mypy_cache .matrix dist
