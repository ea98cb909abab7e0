# Gyre — build, run and test. `make up` and `make test` are the only commands a newcomer needs;
# both install missing Debian packages first (scripts/install-deps).

CC      ?= cc
CLANG   ?= clang
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -Isrc -Wall -Wextra -Werror -Wstrict-prototypes \
               -Wmissing-prototypes -Wpointer-arith -Wno-unused-parameter -g
CFLAGS  ?= -O2
LIBS    := -llmdb -luv -lhttp_parser -lcjson -lcurl -lcbor -lz -lpcre2-8 -lssl -lcrypto -lpthread -lm
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# The AWS service models (src/aws/model.h) are generated from Debian's botocore data plus the
# reviewed overlays in src/aws/models/ and the e2e protocol fixtures in tests/e2e/models/.
BOTOCORE_DATA ?= /usr/lib/python3/dist-packages/botocore/data
MODEL_GEN   := build/gen/aws_models.c
MODEL_INPUTS := scripts/gen-aws-model $(wildcard src/aws/models/*.json) $(wildcard tests/e2e/models/*/*/service-2.json)

SRCS      := $(shell find src -name '*.c' | sort) $(MODEL_GEN)
LIB_SRCS  := $(filter-out src/main.c,$(SRCS))
OBJS      := $(SRCS:%.c=build/obj/%.o)
SAN_OBJS  := $(LIB_SRCS:%.c=build/san/%.o)
HDRS      := $(shell find src -name '*.h')
UNIT_SRCS := $(shell find tests/unit -name 'test_*.c' 2>/dev/null | sort)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=build/unit/%)
FUZZ_SRCS := $(shell find tests/fuzz -name '*.c' 2>/dev/null | sort)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)
FUZZ_SECONDS ?= 30

PY      := /usr/bin/python3
DEPS_STAMP := build/.deps-ok

.DEFAULT_GOAL := all

.PHONY: all deps up down test unit e2e fuzz bench lint format clean

include bench/bench.mk
include sanitize.mk

all: build/gyre

# Install missing packages once per build tree (install-deps is idempotent and fast when done).
$(DEPS_STAMP): scripts/install-deps
	@scripts/install-deps
	@mkdir -p build && touch $@

deps:
	@scripts/install-deps
	@mkdir -p build && touch $(DEPS_STAMP)

build/gyre: $(DEPS_STAMP) $(OBJS)
	$(CC) $(CFLAGS) -o $@ $(OBJS) $(LIBS)

$(MODEL_GEN): $(MODEL_INPUTS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(PY) scripts/gen-aws-model $@ $(BOTOCORE_DATA) src/aws/models $(wildcard tests/e2e/models/*/*/service-2.json)

build/obj/%.o: %.c $(HDRS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(CFLAGS) -c -o $@ $<

build/san/%.o: %.c $(HDRS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) -O1 $(SAN) -c -o $@ $<

# Unit tests link against an archive, so each pulls in only the modules it uses.
build/libgyre-san.a: $(SAN_OBJS)
	rm -f $@ && ar rcs $@ $(SAN_OBJS)

build/unit/%: tests/unit/%.c build/libgyre-san.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) -O1 $(SAN) -Itests/unit -o $@ $< build/libgyre-san.a -lcmocka $(LIBS)

# Fuzzing: the library is compiled once with clang's coverage instrumentation into an archive;
# each harness links against it.
FUZZ_OBJS := $(LIB_SRCS:%.c=build/fuzzobj/%.o)
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -Isrc -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
               -fno-sanitize-recover=all \
               -Wno-unused-parameter

build/fuzzobj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -c -o $@ $<

build/libgyre-fuzz.a: $(FUZZ_OBJS)
	rm -f $@ && ar rcs $@ $(FUZZ_OBJS)

build/fuzz/%: tests/fuzz/%.c build/libgyre-fuzz.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< build/libgyre-fuzz.a $(LIBS)

unit: $(UNIT_BINS)
	@fail=0; for t in $(UNIT_BINS); do \
	    echo "== $$t"; \
	    if ! (cd tests/unit && timeout 120 ../../$$t); then echo "FAILED: $$t"; fail=1; fi; \
	done; exit $$fail

e2e: build/gyre
	cd tests/e2e && GYRE_BIN=$(CURDIR)/build/gyre timeout 1200 $(PY) -m pytest -q -p no:cacheprovider .

test: deps
	$(MAKE) build/gyre
	$(MAKE) unit
	$(MAKE) e2e
	$(MAKE) bench-smoke

fuzz: $(FUZZ_BINS)
	@for f in $(FUZZ_BINS); do \
	    name=$$(basename $$f); mkdir -p build/fuzz-corpus/$$name; \
	    seeds=tests/fuzz/corpus/$$name; [ -d $$seeds ] || seeds=; \
	    echo "== fuzz $$name for $(FUZZ_SECONDS)s"; \
	    $$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	        $$( [ -f tests/fuzz/$$name.dict ] && echo -dict=tests/fuzz/$$name.dict ) \
	        build/fuzz-corpus/$$name $$seeds || exit 1; \
	done

up: deps build/gyre
	@scripts/up

down:
	@scripts/down

bench: build/gyre
	$(PY) bench/run.py

lint:
	@scripts/lint

format:
	clang-format -i $(SRCS) $(HDRS)

clean:
	rm -rf build
