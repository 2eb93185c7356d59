# Storming: `make run` serves the app, `make test` runs the whole suite. Both bootstrap themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS ?= redis://127.0.0.1:6379/0
# Daphne caps every WebSocket message, sent ones included, at 1 MiB: a board of ~3,000 stickies
# has a larger snapshot. What clients send is capped by the app itself (STORMING_MAX_FRAME_BYTES).
DAPHNE_OPTIONS ?= --websocket-max-message-size 33554432

.PHONY: run test test-fast test-js deps test-deps chromium haproxy services asyncapi-specs asyncapi-parser lint bench clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements-test.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-test.txt
	touch $@

deps: $(VENV)/.installed
test-deps: $(VENV)/.test-installed chromium haproxy asyncapi-specs asyncapi-parser

# The official AsyncAPI 3.0.0 JSON Schema, to validate the export's asyncapi.yaml (npm registry).
asyncapi-specs:
	@test -f 'var/asyncapi-specs/node_modules/@asyncapi/specs/schemas/3.0.0-without-$$id.json' || npm install --silent --no-save --no-audit --no-fund --prefix var/asyncapi-specs @asyncapi/specs@6.11.1

# The official AsyncAPI JavaScript parser (with its Avro schema parser), run by
# tests/export/asyncapi_parse.mjs on exported asyncapi.yaml files. The stamp names the pinned versions.
ASYNCAPI_PARSER := @asyncapi/parser@3.6.6 @asyncapi/avro-schema-parser@3.1.0
ASYNCAPI_PARSER_STAMP := var/asyncapi-parser/.installed-$(subst /,_,$(subst @,,$(subst $() ,+,$(ASYNCAPI_PARSER))))
asyncapi-parser: $(ASYNCAPI_PARSER_STAMP)
$(ASYNCAPI_PARSER_STAMP):
	npm install --silent --no-save --no-audit --no-fund --prefix var/asyncapi-parser $(ASYNCAPI_PARSER)
	touch $@

run: deps
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_example --if-empty --base-url http://$(HOST):$(PORT)
	@echo "Storming is on http://$(HOST):$(PORT)/"
	@echo "(Another port or address: make run PORT=8001 HOST=0.0.0.0)"
	$(PY) -m daphne -b $(HOST) -p $(PORT) $(DAPHNE_OPTIONS) storming.asgi:application

# Browser tests need Debian's Chromium (Playwright's own download cannot work offline).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Chromium from Debian's packages..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The load balancer of deploy/haproxy.cfg, which tests/deploy/ runs in front of two Daphne processes.
haproxy:
	@command -v haproxy >/dev/null 2>&1 || test -x /usr/sbin/haproxy || { \
		echo "Installing HAProxy from Debian's packages..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null; }

# PostgreSQL and Redis normally run already; start them if they stopped.
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start || true
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no || true

# The whole suite on SQLite and the in-memory layer, then the database and socket tests again on
# PostgreSQL with the Redis channel layer, the way a real deployment runs (pub/sub, the default),
# then the tests that go through a Redis layer once more on the core layer, still a choice.
REDIS_SOCKET_TESTS := $(addprefix tests/boards/,test_consumer.py test_api.py test_access.py test_identity.py test_revocation.py \
	test_scale_out.py test_redis_restart.py test_pinning.py test_convergence.py) tests/live
test: test-deps services test-js
	$(PY) -m pytest
	DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS) $(PY) -m pytest -m "not browser and not kafka" tests/boards tests/live
	DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS) CHANNEL_LAYER=core $(PY) -m pytest -m "not browser and not kafka" $(REDIS_SOCKET_TESTS)

# The page's pure modules (text fitting, layout, colours), without a browser.
test-js:
	node --test tests/js/

test-fast: test-deps
	$(PY) -m pytest -m "not browser and not kafka and not slow" -x -q

lint: test-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: test-deps
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) var .pytest_cache
