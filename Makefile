# villagecast: `make run` sets everything up and starts the channel; `make test` runs the suite.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HLSJS := publisher/static/vendor/hls.min.js

.PHONY: run test setup system-deps python-deps translations vendor lint bench migration clean

setup: system-deps python-deps translations vendor

system-deps:
	@scripts/install-system-deps

python-deps: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

translations: python-deps
	@$(BIN)/pybabel compile -q -d publisher/translations 2>/dev/null || $(BIN)/pybabel compile -d publisher/translations

vendor: $(HLSJS)

$(HLSJS): package.json
	npm install --no-audit --no-fund --loglevel=error
	mkdir -p $(dir $@)
	cp node_modules/hls.js/dist/hls.min.js $@

run: setup
	@scripts/run

# The unpaced tests spread over every core; the database's side of them (admin, emergency
# calls, SMS; not the encoding) runs again on PostgreSQL, a throwaway cluster the tests start
# themselves (tests/pg.py); the ones paced by the wall clock (live streams, supervised
# processes, daemons, browsers) then run alone so nothing starves them.
# (test_no_server_errors crawls its own SQLite site: nothing to learn from it twice.)
PG_TESTS := tests/publisher tests/emergency tests/sms \
	--ignore=tests/publisher/test_no_server_errors.py
# First the import layers (a package cycle inside publisher fails here, see pyproject.toml's
# import-linter contracts) and ruff: seconds, before minutes of tests.
test: setup
	$(BIN)/lint-imports
	$(BIN)/ruff check publisher renderer playlists tests bench
	$(BIN)/pytest -n auto -m "not realtime"
	VILLAGECAST_TEST_DB=postgresql $(BIN)/pytest -n auto -m "not realtime and not ffmpeg" $(PG_TESTS)
	$(BIN)/pytest -m realtime

lint: python-deps
	$(BIN)/ruff check publisher renderer playlists tests bench
	$(BIN)/lint-imports

bench: setup
	$(BIN)/python bench/render_bench.py
	$(BIN)/python bench/playout_bench.py
	$(BIN)/python bench/publish_bench.py
	$(BIN)/python bench/emergency_bench.py
	$(BIN)/python bench/udp_bench.py
	$(BIN)/python bench/channels_bench.py
	$(BIN)/python bench/recovery_bench.py
	$(BIN)/python bench/loudness_bench.py

migration: python-deps
	scripts/regen-initial-migration

clean:
	rm -rf $(VENV) node_modules publisher/static/vendor
