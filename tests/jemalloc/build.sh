#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build the jemalloc end-to-end workloads into OUTDIR (cached: a second run
# with the same inputs does nothing):
#   OUTDIR/workload-static  linked with libjemalloc.a built with debug info
#                           from Debian's source package (apt-get source
#                           jemalloc; needs the deb-src entry that
#                           scripts/install-deps adds)
#   OUTDIR/workload-dso     linked with Debian's shared libjemalloc.so.2
#                           (package libjemalloc2), when it is installed
# Configured as Debian's debian/rules does (no --with-jemalloc-prefix, so
# the TLS symbol is je_tsd_tls), plus -g, static only.
# Exit status: 0 built, 77 the source package cannot be fetched (no deb-src
# entry or no network), 1 a build error.
set -euo pipefail

out=${1:?usage: build.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
cc=${CC:-cc}
mkdir -p "$out"
out=$(cd "$out" && pwd)
log=$out/build.log
key=$(cat "$here/build.sh" "$here/workload.c" | cksum | cut -d' ' -f1)

if [[ -f $out/stamp && $(cat "$out/stamp") == "$key" && -x $out/workload-static ]]; then
	echo "jemalloc e2e: cached in $out"
	exit 0
fi
rm -f "$out/stamp"

if [[ ! -f $out/lib/libjemalloc.a ]]; then
	rm -rf "$out/src" "$out/dl"
	mkdir -p "$out/dl"
	if ! (cd "$out/dl" && apt-get source --download-only jemalloc) >"$log" 2>&1; then
		echo "jemalloc e2e: apt-get source jemalloc failed (deb-src entry missing? run scripts/install-deps):"
		tail -3 "$log"
		exit 77
	fi
	dsc=$(ls "$out"/dl/jemalloc_*.dsc | head -1)
	dpkg-source -x "$dsc" "$out/src" >>"$log" 2>&1
	lgpage=16
	case $(uname -m) in x86_64 | i?86) lgpage=12 ;; esac
	echo "jemalloc e2e: building $(basename "$dsc" .dsc) with -g (static)"
	(
		cd "$out/src"
		./configure --with-version=5.3.0-0-g0000000000000000000000000000000000000000 \
			--with-lg-page=$lgpage --with-lg-hugepage=21 --disable-doc --disable-cxx \
			--disable-shared CFLAGS="-g -O2" CC="$cc"
		make -j"$(nproc)" lib/libjemalloc.a
	) >>"$log" 2>&1 || { echo "jemalloc e2e: build failed, see $log"; tail -20 "$log"; exit 1; }
	mkdir -p "$out/lib"
	cp "$out/src/lib/libjemalloc.a" "$out/lib/libjemalloc.a"
fi

"$cc" -std=gnu11 -g -O1 -pthread -o "$out/workload-static" "$here/workload.c" \
	"$out/lib/libjemalloc.a" -ldl -lm
rm -f "$out/workload-dso"
so=$("$cc" -print-file-name=libjemalloc.so.2)
[[ $so == /* && -f $so ]] || so=$(ls /usr/lib/*/libjemalloc.so.2 2>/dev/null | head -1 || true)
if [[ -n $so && -f $so ]]; then
	"$cc" -std=gnu11 -g -O1 -pthread -o "$out/workload-dso" "$here/workload.c" "$so"
fi
echo "$key" >"$out/stamp"
echo "jemalloc e2e: built in $out"
