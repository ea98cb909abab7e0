# bench/bench.mk — benchmark tools, included by the top-level Makefile.
#   build/gyre-bench    the DynamoDB load generator (bench/gyre_bench.c and friends)
#   build/gyre-trivial  the ceiling: Gyre's HTTP stack answering every request with "{}"
#   bench-smoke         bench/compare --smoke: every tool and workload once with tiny counts
#                       (< 30 s), then bench/replication --smoke: a three-region `gyre up` and a
#                       few dozen replicated writes (< 20 s), then bench/protocols --smoke: each
#                       wire protocol answered (< 10 s); asserts no timing; for `make test`
# `make bench` (top-level) runs bench/run.py: the full side-by-side comparison with dynalite,
# then the replication latency of a three-region deployment.
# Method and latest numbers: docs/performance.md.

BENCH_SRCS := bench/gyre_bench.c bench/bench_engine.c bench/bench_req.c bench/bench_stats.c \
              bench/bench_selftest.c
BENCH_OBJS := $(BENCH_SRCS:%.c=build/obj/%.o)
BENCH_HDRS := bench/bench.h
# Project objects the tools link: the SigV4 signer, the JSON writer and core; the HTTP stack.
BENCH_CORE_OBJS := $(patsubst %.c,build/obj/%.o,$(sort $(wildcard src/core/*.c)))
BENCH_SIGV4_OBJS := build/obj/src/aws/sigv4.o build/obj/src/aws/sigv4_canon.o
BENCH_NET_OBJS := $(patsubst %.c,build/obj/%.o,$(sort $(wildcard src/net/*.c)))

.PHONY: bench-smoke

$(BENCH_OBJS) build/obj/bench/trivial_server.o: $(BENCH_HDRS)

build/gyre-bench: $(BENCH_OBJS) $(BENCH_SIGV4_OBJS) $(BENCH_CORE_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ -lhttp_parser -lcjson -lssl -lcrypto -lz -lpthread -lm

build/gyre-trivial: build/obj/bench/trivial_server.o $(BENCH_NET_OBJS) $(BENCH_CORE_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ -luv -lhttp_parser -lcjson -lcrypto -lz -lpthread -lm

# Extra prerequisites of the top-level `bench` target (its recipe runs bench/run.py).
bench: build/gyre-bench build/gyre-trivial

bench-smoke: build/gyre build/gyre-bench build/gyre-trivial
	timeout 120 $(PY) bench/compare --smoke
	timeout 60 $(PY) bench/replication --smoke
	timeout 60 $(PY) bench/protocols --smoke
