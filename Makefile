# lambdagram — the two commands of the README: `make run` and `make test`.
# Everything else here is what they are made of.

BUILD_DIR   ?= build/release
ASAN_DIR    ?= build/asan
JOBS        ?= $(shell nproc 2>/dev/null || echo 2)
CTEST_FLAGS ?= --output-on-failure -j$(JOBS)
# CI (CI=true) builds with warnings as errors.
ifeq ($(CI),true)
WERROR := ON
else
WERROR ?= OFF
endif

.PHONY: all setup build run test test-release test-asan asan bench fuzz format clean

all: build

setup:
	@scripts/setup

$(BUILD_DIR)/build.ninja: | setup
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DLG_WERROR=$(WERROR)

build: setup $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j$(JOBS)

# With TELEGRAM_TOKEN: the bot, long polling. Without: the console, to try the bot at once.
run: build
	@scripts/run $(BUILD_DIR)/lambdagram

test: test-release test-asan

test-release: build
	cd $(BUILD_DIR) && ctest $(CTEST_FLAGS)

$(ASAN_DIR)/build.ninja: | setup
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLG_SANITIZE=ON \
	    -DLG_BUILD_BENCH=OFF -DLG_WERROR=$(WERROR)

asan: setup $(ASAN_DIR)/build.ninja
	cmake --build $(ASAN_DIR) -j$(JOBS)

# Under ASan+UBSan; the slow label (benchmark-sized work) is left to the release run.
test-asan: asan
	cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest $(CTEST_FLAGS) -LE slow

bench: build
	@ls $(BUILD_DIR)/bench_* >/dev/null 2>&1 && for b in $(BUILD_DIR)/bench_*; do $$b; done || echo "no benchmarks built"

fuzz: setup
	scripts/fuzz

format:
	clang-format -i $$(git ls-files '*.h' '*.cpp')

clean:
	rm -rf build
