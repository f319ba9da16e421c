# Switchboard: `make run` serves the product on http://127.0.0.1:8080 with SQLite and --dev;
# `make test` runs every test layer. Both install what they need first (Debian 12, as root).

SHELL := /bin/bash
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: all deps deps-test server server-asan web build run test test-unit test-blackbox test-web netlab bench format clean deb chaos fuzz-long

all: build

deps:
	@scripts/install-deps.sh build

deps-test:
	@scripts/install-deps.sh test

server: deps
	@echo "server: configuring and building build/switchboard (the first build takes a few minutes)"
	cmake -S server -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DSB_TESTS=OFF $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) --target switchboard -j $(JOBS)

server-asan: deps-test
	cmake -S server -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSB_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)

web: deps
	scripts/build-web.sh

# The server binary lands at build/switchboard, the front end at web/dist.
build: server web

run: build
	./$(BUILD)/switchboard --dev --listen 127.0.0.1:8080 --db sqlite:./data/switchboard.db --web-root web/dist --log-format text

test: deps-test
	scripts/test-all.sh

# Under a throwaway PostgreSQL, so the store suite's postgres backend has its database.
test-unit: server-asan
	cd $(ASAN_BUILD) && $(CURDIR)/scripts/with-redis.sh $(CURDIR)/scripts/with-postgres.sh ctest --output-on-failure -j $(JOBS)

test-blackbox: server
	scripts/test-blackbox.sh

# The network lab alone (tests/netlab, docs/netlab.md): every matrix row, or ROWS="ab ffswitch".
# Needs root and network namespaces; installs its Debian packages and builds what is missing.
ROWS ?=
netlab: build
	scripts/test-netlab.sh $(ROWS)

# The Debian package of HEAD, checked, then kept in build/ (see debian/ and docs/operations.md).
deb: deps-test build
	SB_DEB_OUT=$(BUILD) scripts/test-package.sh

bench: server
	scripts/bench.sh

# Load with faults injected at random, then the invariants (docs/faults.md); DURATION in seconds.
DURATION ?= 600
chaos: server
	scripts/chaos.sh $(DURATION)

# Every fuzz target for FUZZ_SECONDS each (default 3 h), on the committed seed corpus.
FUZZ_SECONDS ?= 10800
fuzz-long:
	scripts/fuzz.sh $(FUZZ_SECONDS)

format:
	clang-format -i $$(git ls-files 'server/*.cpp' 'server/*.hpp' 'bench/*.cpp')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) web/dist
