#!/usr/bin/env bash
# Build the Cython extensions with AddressSanitizer + UndefinedBehaviorSanitizer in a separate
# build directory, run tests/conformance, tests/core and tests/fuzz (and the fuzz corpora) under
# them, then valgrind memcheck over programs/*.s through thead-run. Zero reports is the bar.
#
#   tools/sanitize.sh [--rev REV] [--build DIR] [--skip-build] [--no-valgrind] [--no-asan] [-- PYTEST ARGS]
#
#   --rev REV     build `git archive REV` plus the working tree's tests/fuzz and fuzz/ (default:
#                 the working tree as it is, tracked and untracked files, without build products)
#   --build DIR   build directory (default: build/sanitize); the checkout itself is never touched
#   PYTHON        interpreter with the project's dependencies (default: /work/venv/bin/python)
#
# Exit status: 0 when every step passed with no sanitizer or valgrind report, 1 otherwise.
set -u -o pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-/work/venv/bin/python}
BUILD=$HERE/build/sanitize
REV=""
SKIP_BUILD=0
VALGRIND=1
ASAN=1
while [ $# -gt 0 ]; do
    case "$1" in
        --rev) REV=$2; shift 2 ;;
        --build) BUILD=$(realpath -m "$2"); shift 2 ;;
        --skip-build) SKIP_BUILD=1; shift ;;
        --no-valgrind) VALGRIND=0; shift ;;
        --no-asan) ASAN=0; shift ;;
        --) shift; break ;;
        *) echo "usage: $0 [--rev REV] [--build DIR] [--skip-build] [--no-valgrind] [--no-asan] [-- PYTEST ARGS]" >&2; exit 2 ;;
    esac
done
SRC=$BUILD/src
REPORTS=$BUILD/reports
LOG=$BUILD/log
status=0

copy_tree() {       # $1: destination
    rm -rf "$1"; mkdir -p "$1"
    if [ -n "$REV" ]; then
        git -C "$HERE" archive "$REV" | tar -x -C "$1"
        for extra in tests/fuzz fuzz tools; do
            [ -e "$HERE/$extra" ] && rm -rf "${1:?}/$extra" && cp -a "$HERE/$extra" "$1/$extra"
        done
    else
        (cd "$HERE" && git ls-files -co --exclude-standard -z) |
            (cd "$HERE" && xargs -0 cp --parents -a -t "$1" 2>/dev/null)
    fi
    find "$1" \( -name '*.so' -o -name '__pycache__' \) -prune -exec rm -rf {} +
    find "$1/thead_isa" -name '*.pyx' | while read -r pyx; do rm -f "${pyx%.pyx}.c"; done
}

mkdir -p "$BUILD"
if [ $ASAN = 1 ]; then
    LIBASAN=$(gcc -print-file-name=libasan.so)
    SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=address"
    if [ $SKIP_BUILD = 0 ]; then
        echo "== building with ASan+UBSan into $SRC"
        copy_tree "$SRC"
        (cd "$SRC" && CC=gcc CFLAGS="$SAN -O1 -g" LDFLAGS="$SAN" \
            "$PYTHON" setup.py build_ext --inplace -j 2 >"$BUILD/build.log" 2>&1) || {
            echo "build failed: see $BUILD/build.log"; exit 1; }
        echo "   built $(find "$SRC/thead_isa" -name '*.so' | wc -l) extension modules"
    fi
    rm -rf "$REPORTS"; mkdir -p "$REPORTS"
    export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:allocator_may_return_null=1:log_path=$REPORTS/asan:verify_asan_link_order=0"
    export UBSAN_OPTIONS="print_stacktrace=1:log_path=$REPORTS/ubsan"
    export THEAD_FUZZ_MEMORY_MB=0             # ASan reserves terabytes of address space
    run_step() {    # $1: name, then the command
        local name=$1; shift
        echo "== $name (ASan+UBSan)"
        (cd "$SRC" && LD_PRELOAD="$LIBASAN" PYTHONPATH="$SRC" "$@") >"$LOG.$name" 2>&1
        local rc=$?
        tail -n 3 "$LOG.$name" | sed 's/^/   /'
        [ $rc = 0 ] || { echo "   FAILED (status $rc): $LOG.$name"; status=1; }
    }
    run_step pytest "$PYTHON" -m pytest -q -p no:cacheprovider -o addopts="" \
        --import-mode=importlib tests/conformance tests/core tests/fuzz "$@"
    run_step corpora "$PYTHON" fuzz/replay.py tests/fuzz/corpus tests/fuzz/regressions
    n=$(find "$REPORTS" -type f | wc -l)
    echo "== sanitizer reports: $n (in $REPORTS)"
    [ "$n" = 0 ] || { status=1; head -n 40 "$REPORTS"/* ; }
fi

if [ $VALGRIND = 1 ]; then
    echo "== valgrind memcheck: thead-run programs/*.s"
    VSRC=$BUILD/valgrind-src
    if [ $SKIP_BUILD = 0 ] || [ ! -d "$VSRC" ]; then
        copy_tree "$VSRC"
        (cd "$VSRC" && CFLAGS="-g -O2" "$PYTHON" setup.py build_ext --inplace -j 2 >"$BUILD/build-valgrind.log" 2>&1) || {
            echo "build failed: see $BUILD/build-valgrind.log"; exit 1; }
    fi
    SUPP=$HERE/tools/valgrind-python.supp
    verrors=0
    for prog in "$VSRC"/programs/*.s; do
        name=$(basename "$prog" .s)
        for mode in ${VALGRIND_MODES:-functional cycle}; do
            vlog=$BUILD/valgrind.$name.$mode.log
            (cd "$VSRC/programs" && PYTHONMALLOC=malloc PYTHONPATH="$VSRC" valgrind --tool=memcheck \
                --suppressions="$SUPP" --leak-check=no --num-callers=30 --log-file="$vlog" \
                "$PYTHON" -m thead_isa.cli.run_main "$prog" --mode "$mode" >/dev/null 2>&1)
            rc=$?
            # an error counts when a frame of its stack is in thead_isa's compiled code; the rest
            # is CPython's own noise (longobject.c and friends), counted separately
            read -r ours noise < <("$PYTHON" "$HERE/tools/valgrind_triage.py" "$vlog" 2>"$vlog.ours")
            echo "   $name --mode $mode: exit $rc, thead_isa errors $ours, CPython-internal $noise"
            verrors=$((verrors + ours))
        done
    done
    echo "== valgrind errors in thead_isa code: $verrors (logs: $BUILD/valgrind.*.log)"
    [ "$verrors" = 0 ] || status=1
fi
exit $status
