#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install the build tree into a temporary prefix, then build and run an
# out-of-tree consumer (tests/consumer) against it twice: with CMake's
# find_package(ctprof) and with `pkg-config --cflags --libs ctprof`. Also
# checks the installed layout and that the installed ctprof-harness runs.
# Environment (set by ctest): CTPROF_SOURCE_DIR, CTPROF_BUILD_DIR,
# CTPROF_FIXTURES, CMAKE_COMMAND, CMAKE_C_COMPILER; KEEP=1 keeps the work dir.
set -euo pipefail

src=${CTPROF_SOURCE_DIR:?}
build=${CTPROF_BUILD_DIR:?}
fixtures=${CTPROF_FIXTURES:-$src/fixtures}
cmake_cmd=${CMAKE_COMMAND:-cmake}
cc=${CMAKE_C_COMPILER:-cc}

command -v "$cmake_cmd" >/dev/null || { echo "SKIP: cmake not found"; exit 77; }
command -v pkg-config >/dev/null || { echo "SKIP: pkg-config not found"; exit 77; }

snap=$fixtures/snapshots/ktstr-synthetic.ctprof.zst
[[ -f $snap ]] || { echo "FAIL: missing fixture $snap"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/ctprof-install-XXXXXX")
trap '[[ -n ${KEEP:-} ]] || rm -rf "$work"' EXIT
prefix=$work/prefix
fail=0
pass() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }
expect_eq() { # name got want
	if [[ $2 == "$3" ]]; then pass "$1"; else bad "$1: got '$2', want '$3'"; fi
}

"$cmake_cmd" --install "$build" --prefix "$prefix" >"$work/install.log"
pass "cmake --install into a temporary prefix"

# Layout: one libdir (lib or lib/<multiarch>) holding everything.
pc=$(find "$prefix" -path '*/pkgconfig/ctprof.pc' -print -quit)
[[ -n $pc ]] || { echo "not ok - no ctprof.pc installed"; cat "$work/install.log"; exit 1; }
libdir=${pc%/pkgconfig/ctprof.pc}
for f in "$prefix/include/ctprof/ctprof.h" "$prefix/include/ctprof/common.h" \
	 "$prefix/include/ctprof/snapshot.h" "$libdir/libctprof.a" \
	 "$libdir/libctprof.so" "$libdir/cmake/ctprof/ctprofConfig.cmake" \
	 "$libdir/cmake/ctprof/ctprofConfigVersion.cmake" "$prefix/bin/ctprof-harness" \
	 "$prefix/share/man/man1/ctprof-harness.1"; do
	if [[ -e $f ]]; then pass "installed ${f#"$prefix"/}"; else bad "missing ${f#"$prefix"/}"; fi
done
soname=$(readelf -d "$libdir/libctprof.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
expect_eq "SONAME" "$soname" "libctprof.so.0"
# Only ctprof_* symbols are exported.
others=$(nm -D --defined-only "$libdir/libctprof.so" | awk '$2 ~ /^[TDBR]$/ && $3 !~ /^ctprof_/ {print $3}')
expect_eq "only ctprof_* symbols exported" "$others" ""

# The installed binary finds the installed library without LD_LIBRARY_PATH.
ver=$(env -u LD_LIBRARY_PATH "$prefix/bin/ctprof-harness" --version)
expect_eq "installed ctprof-harness --version" "$ver" "ctprof-harness 0.1.0 (libctprof 0.1.0)"
libpath=$(env -u LD_LIBRARY_PATH ldd "$prefix/bin/ctprof-harness" | awk '$1 == "libctprof.so.0" {print $3}' | xargs -r readlink -f)
expect_eq "installed ctprof-harness uses the installed libctprof" "$libpath" "$(readlink -f "$libdir/libctprof.so.0")"
# (Outputs go to variables first: `grep -q` closing a pipe early would
# fail the pipeline under pipefail.)
out=$(env -u LD_LIBRARY_PATH "$prefix/bin/ctprof-harness" info "$snap")
if grep -q '^  threads: *1$' <<<"$out"; then
	pass "installed ctprof-harness info"
else
	bad "installed ctprof-harness info"
fi

want="libctprof 0.1.0: 1 threads"

# 1. CMake find_package, shared and static.
for kind in shared static; do
	st=OFF
	[[ $kind == static ]] && st=ON
	if "$cmake_cmd" -S "$src/tests/consumer" -B "$work/cmake-$kind" \
		-DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" -DCONSUMER_STATIC=$st \
		>"$work/cmake-$kind.log" 2>&1 &&
	   "$cmake_cmd" --build "$work/cmake-$kind" >>"$work/cmake-$kind.log" 2>&1; then
		out=$(env -u LD_LIBRARY_PATH "$work/cmake-$kind/consumer" "$snap")
		expect_eq "find_package consumer ($kind)" "$out" "$want"
	else
		bad "find_package consumer ($kind) builds"
		cat "$work/cmake-$kind.log"
	fi
done
deps=$(ldd "$work/cmake-shared/consumer" 2>&1 || true)
if grep -qF "$libdir/libctprof.so.0" <<<"$deps"; then
	pass "find_package consumer links the installed shared library"
else
	bad "find_package consumer links the installed shared library"
fi
deps=$(ldd "$work/cmake-static/consumer" 2>&1 || true)
if grep -q libctprof <<<"$deps"; then
	bad "static find_package consumer does not need libctprof.so"
else
	pass "static find_package consumer does not need libctprof.so"
fi

# 2. pkg-config, shared (-lctprof) and static (--static, libctprof.a).
export PKG_CONFIG_PATH=$libdir/pkgconfig
expect_eq "pkg-config --modversion" "$(pkg-config --modversion ctprof)" "0.1.0"
incdir=$(pkg-config --variable=includedir ctprof)
expect_eq "pkg-config includedir resolves into the prefix" "$(readlink -f "$incdir")" "$(readlink -f "$prefix/include")"
# shellcheck disable=SC2046 # word splitting of the flags is intended
if "$cc" -o "$work/pc-shared" "$src/tests/consumer/consumer.c" \
	$(pkg-config --cflags --libs ctprof) 2>"$work/pc-shared.log"; then
	out=$(LD_LIBRARY_PATH=$libdir "$work/pc-shared" "$snap")
	expect_eq "pkg-config consumer (shared)" "$out" "$want"
else
	bad "pkg-config consumer (shared) builds"
	cat "$work/pc-shared.log"
fi
static_libs=$(pkg-config --static --libs ctprof)
static_libs=${static_libs/-lctprof/-l:libctprof.a}
# shellcheck disable=SC2046,SC2086
if "$cc" -o "$work/pc-static" "$src/tests/consumer/consumer.c" \
	$(pkg-config --cflags ctprof) $static_libs 2>"$work/pc-static.log"; then
	out=$(env -u LD_LIBRARY_PATH "$work/pc-static" "$snap")
	expect_eq "pkg-config consumer (static, Requires.private)" "$out" "$want"
else
	bad "pkg-config consumer (static) builds"
	cat "$work/pc-static.log"
fi

exit $fail
