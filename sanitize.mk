# sanitize.mk — the server under sanitizers, included by the top-level Makefile (not part of
# `make test`).
#   build/gyre-asan   every src/**/*.c with AddressSanitizer + UndefinedBehaviorSanitizer
#                     (recoverable UBSan, so one run reports every distinct finding)
#   build/gyre-tsan   the same sources with ThreadSanitizer
#   sanitize-e2e      the whole e2e suite against build/gyre-asan (scripts/sanitize-e2e); fails
#                     if a test fails or any sanitizer report appears (report files, or a
#                     UBSan/ASan line in a server log)
#   sanitize-e2e-tsan the thread-heavy e2e files against build/gyre-tsan, same rules
# Reports and a deduplicated summary land in build/sanitize/<asan|tsan>/.
# Objects live in build/asan/ and build/tsan/ (build/san/ is the unit tests' -Werror archive).

# Include after SRCS, HDRS, LIBS and DEPS_STAMP are defined; the default goal is left as it was.
SANITIZE_SAVED_GOAL := $(.DEFAULT_GOAL)

SANITIZE_FLAGS := -std=c11 -D_GNU_SOURCE -Isrc -g -O1 -fno-omit-frame-pointer -Wno-unused-parameter
ASAN_FLAGS     := $(SANITIZE_FLAGS) -fsanitize=address,undefined
TSAN_FLAGS     := $(SANITIZE_FLAGS) -fsanitize=thread

ASAN_OBJS := $(SRCS:%.c=build/asan/%.o)
TSAN_OBJS := $(SRCS:%.c=build/tsan/%.o)

.PHONY: sanitize-e2e sanitize-e2e-tsan

build/asan/%.o: %.c $(HDRS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_FLAGS) -c -o $@ $<

build/tsan/%.o: %.c $(HDRS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(TSAN_FLAGS) -c -o $@ $<

build/gyre-asan: $(DEPS_STAMP) $(ASAN_OBJS)
	$(CC) $(ASAN_FLAGS) -o $@ $(ASAN_OBJS) $(LIBS)

build/gyre-tsan: $(DEPS_STAMP) $(TSAN_OBJS)
	$(CC) $(TSAN_FLAGS) -o $@ $(TSAN_OBJS) $(LIBS)

sanitize-e2e: build/gyre-asan
	scripts/sanitize-e2e asan

sanitize-e2e-tsan: build/gyre-tsan
	scripts/sanitize-e2e tsan

.DEFAULT_GOAL := $(SANITIZE_SAVED_GOAL)
