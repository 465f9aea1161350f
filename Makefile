# Entry points for building, testing and the reference scenario. Every target runs
# scripts/setup first, which installs missing Debian packages and the test
# virtualenv, and prints nothing when both are already in place.

# swift from PATH, else the toolchain's usual install location.
SWIFT ?= $(or $(shell command -v swift),/opt/swift/usr/bin/swift)
# SwiftPM build directory. Point it elsewhere to keep checkouts apart.
SCRATCH_PATH ?= .build
SWIFT_FLAGS := --scratch-path $(SCRATCH_PATH)
VENV_PYTHON := $(CURDIR)/.venv/bin/python

.PHONY: setup build test run bench torture soak

setup:
	scripts/setup

build: setup
	$(SWIFT) build $(SWIFT_FLAGS)

# The Python oracle tests run first; then the Swift suite, a fixed short run of every
# fuzzer (the same inputs on every machine), and the libgpiod check in a VM.
# ALERTBOX_PYTHON tells the Swift tests which interpreter runs the oracles.
test: export ALERTBOX_PYTHON := $(VENV_PYTHON)
test: setup
	$(VENV_PYTHON) -m unittest discover --start-directory Tests/Oracles --pattern 'test_*.py'
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	$(SWIFT) test --skip-build $(SWIFT_FLAGS)
	scripts/fuzz ci
	scripts/gpio-sim-check

# The main job: the reference scenario of docs/scenarios.md, alertbox against the simulator.
# ALERTBOX_LANG=en prints the timeline in English.
run: build
	"$$($(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)/alertbox-sim" scenario reference

# Measures the modem driver against the simulator in release mode and records the
# figures in docs/benchmarks-modem.md, then prints the storage and scheduler figures,
# then measures the whole box against gammu-smsd and smstools on the same simulator
# and writes docs/benchmarks.md. The peer comparison sends 300 messages per daemon at
# two SMSC latencies and takes about an hour (53 minutes here); PEER_BENCH_FLAGS=--messages 60 shortens
# it. Nothing is asserted.
PEER_BENCH_FLAGS ?=
bench: setup
	$(SWIFT) build -c release $(SWIFT_FLAGS)
	mkdir -p docs
	"$$($(SWIFT) build -c release $(SWIFT_FLAGS) --show-bin-path)/alertbox-bench" --output docs/benchmarks-modem.md
	"$$($(SWIFT) build -c release $(SWIFT_FLAGS) --show-bin-path)/storage-torture" bench "$${TMPDIR:-/tmp}/alertbox-bench.sqlite"
	"$$($(SWIFT) build -c release $(SWIFT_FLAGS) --show-bin-path)/scheduler-bench" "$${TMPDIR:-/tmp}/alertbox-scheduler-bench.sqlite"
	"$$($(SWIFT) build -c release $(SWIFT_FLAGS) --show-bin-path)/uplink-bench"
	python3 Benchmarks/peer-bench/peer_bench.py --bin "$$($(SWIFT) build -c release $(SWIFT_FLAGS) --show-bin-path)" \
		--output docs/benchmarks.md $(PEER_BENCH_FLAGS)

# Crash torture (docs/reliability.md): 200 SIGKILLs of a 1,000-recipient run, about 15 minutes.
# TORTURE_FLAGS="--kills 20 --seed 42" changes the run.
TORTURE_FLAGS ?=
torture: setup
	scripts/torture $(TORTURE_FLAGS)

# Soak (docs/reliability.md): 20 minutes of mixed traffic; SOAK_FLAGS="--minutes 240" runs longer.
SOAK_FLAGS ?=
soak: setup
	scripts/soak $(SOAK_FLAGS)
