# The two commands of the README:
#   make run   install what is missing, build, start floe with its embedded default
#   make test  install what is missing, build, run every test (unit tests also under ASan/UBSan)
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)
FUZZ_SECONDS ?= 60

.PHONY: all deps build build-asan build-fuzz run test test-unit test-asan bench clean format

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DFLOE_FUZZ_BIN_DIR=$(CURDIR)/$(FUZZ_BUILD) -DFLOE_FUZZ_SECONDS=$(FUZZ_SECONDS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DFLOE_SANITIZE=ON -DFLOE_BUILD_BENCH=OFF

build-asan: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)

$(FUZZ_BUILD)/build.ninja:
	CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFLOE_FUZZ=ON \
	  -DFLOE_BUILD_TESTS=OFF -DFLOE_BUILD_BENCH=OFF

build-fuzz: deps $(FUZZ_BUILD)/build.ninja
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_targets

run: build
	./$(BUILD)/floe serve

# Unit tests under ASan/UBSan first, then every test of the main build: ctest's summary of that
# last run is the last thing printed.
test: build build-asan build-fuzz
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest -L unit -j $(JOBS) --output-on-failure
	cd $(BUILD) && ctest -j $(JOBS) --output-on-failure

test-unit: build
	cd $(BUILD) && ctest -L unit -j $(JOBS) --output-on-failure

test-asan: build-asan
	cd $(ASAN_BUILD) && ctest -L unit -j $(JOBS) --output-on-failure

bench: build
	@echo "see bench/README.md"

format:
	find src tests bench -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
