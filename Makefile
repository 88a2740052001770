# Thin wrapper over Meson. `make demo` and `make test` work on a fresh Debian 12 machine:
# each installs what is missing first.
BUILD ?= build
MESON_ARGS ?=
# e.g. NINJAFLAGS=-j2 on a shared machine (ninja's default is the core count + 2).
NINJAFLAGS ?=
PGREST := $(BUILD)/bindings/cli/pgrest

.PHONY: all deps build demo test bench fuzz clean format

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_ARGS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD) $(NINJAFLAGS)

# The main job on the bundled sample catalog: no database needed.
demo: build
	@bash scripts/demo.sh $(PGREST) examples/sample-catalog.json examples/requests.jsonl

# The Node tests' packages (pg, @supabase/postgrest-js), pinned by package-lock.json.
NODE_TEST_DEPS := tests/bindings/node/node_modules/.package-lock.json
# (npm itself comes from scripts/install-deps.sh, so deps runs first.)
$(NODE_TEST_DEPS): tests/bindings/node/package-lock.json | deps
	npm ci --prefix tests/bindings/node --no-audit --no-fund --loglevel=error
	@touch $@

# Every test, against a throwaway PostgreSQL 15 started (and removed) for the run: unit,
# integration, CLI, C ABI, Python, Node and postgrest-js suites, fuzz corpus replays, a
# short libFuzzer smoke of every target and the C ABI under ThreadSanitizer.
test: build $(NODE_TEST_DEPS)
	FUZZ_SMOKE_SECONDS=$(FUZZ_SMOKE_SECONDS) bash scripts/with-postgres.sh bash scripts/run-tests.sh $(BUILD)

# libFuzzer (clang, ASan+UBSan) on every fuzz target, FUZZ_SECONDS each; see fuzz/README.md.
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 20
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash fuzz/run.sh

# Release build of the benchmark binary; BENCH_ARGS go to Google Benchmark.
BENCH_BUILD ?= build-release
BENCH_ARGS ?=
bench: deps
	[ -f $(BENCH_BUILD)/build.ninja ] || meson setup $(BENCH_BUILD) -Dbuildtype=release -Dbench=true -Dtests=false
	ninja -C $(BENCH_BUILD)
	$(BENCH_BUILD)/bench/pgrest-bench $(BENCH_ARGS)

format:
	git ls-files '*.cpp' '*.hpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
