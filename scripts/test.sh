#!/bin/sh
# The whole test suite: install what is missing, build, and run `make check`
# twice -- a normal build and an --enable-sanitizers (ASan+UBSan) build --
# then the HTTP parser under libFuzzer for FUZZ_SECONDS (default 30), then
# `make distcheck`. Build trees go under build-test/. SKIP_FUZZ=1 and
# SKIP_DISTCHECK=1 skip those steps.
set -e
cd "$(dirname "$0")/.."
top=$(pwd)
sh scripts/deps.sh
if [ -f config.status ]; then
	echo "test.sh: the source tree is configured in place; run 'make distclean' here first" >&2
	exit 1
fi
[ -x configure ] || ./autogen.sh
jobs=${JOBS:-2}
summary=""
failed=0
other_failed=0

run_tree() {	# name, configure args...
	name=$1; shift
	mkdir -p "build-test/$name"
	(cd "build-test/$name" && "$top/configure" -q "$@" && make -j"$jobs" >/dev/null)
	if (cd "build-test/$name" && make -j"$jobs" check); then
		summary="$summary\n$name: ok"
	else
		summary="$summary\n$name: FAILED"
		failed=$((failed + 1))
		cat "build-test/$name/test-suite.log" || true
	fi
}

run_tree plain
run_tree sanitizers --enable-sanitizers
# The HTTP parser under libFuzzer, briefly (FUZZ_SECONDS, default 30).
fuzz_tree() {
	mkdir -p build-test/fuzz
	if (cd build-test/fuzz && "$top/configure" -q CC=clang --enable-sanitizers --enable-fuzzing &&
	    make -j"$jobs" tests/fuzz/fuzz_http_parse >/dev/null &&
	    mkdir -p corpus && cp "$top"/tests/fuzz/corpus/http/* corpus/ &&
	    ./tests/fuzz/fuzz_http_parse -max_total_time="${FUZZ_SECONDS:-30}" -print_final_stats=1 corpus \
	    > fuzz.log 2>&1); then
		summary="$summary\nfuzz: ok ($(grep -o 'stat::number_of_executed_units: *[0-9]*' build-test/fuzz/fuzz.log | grep -o '[0-9]*$') runs)"
	else
		summary="$summary\nfuzz: FAILED"
		failed=$((failed + 1))
		other_failed=$((other_failed + 1))
		tail -50 build-test/fuzz/fuzz.log || true
	fi
}
[ -n "$SKIP_FUZZ" ] || fuzz_tree

if [ -z "$SKIP_DISTCHECK" ]; then
	# The tarball must build, install and pass the unit tests; the whole
	# integration suite has already run twice above.
	if (cd build-test/plain && make -j"$jobs" distcheck \
	    TESTS="tests/unit/test_conf tests/unit/test_sb tests/unit/test_http_parse" >/dev/null); then
		summary="$summary\ndistcheck: ok"
	else
		summary="$summary\ndistcheck: FAILED"
		failed=$((failed + 1))
		other_failed=1
	fi
fi
# One closing line over both trees: test programs passed and failed.
count() { sed -n "s/^# $1: *//p" build-test/*/test-suite.log 2>/dev/null | awk '{s += $1} END {print s + 0}'; }
printf "$summary\n"
echo "$(count PASS) passed, $(( $(count FAIL) + $(count ERROR) + other_failed )) failed, $(count SKIP) skipped"
exit $failed
