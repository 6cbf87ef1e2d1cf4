#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/install-deps against fake dpkg-query/apt-get on PATH: installs
# only what is missing, updates the lists only when needed, is idempotent,
# and fails when a package is still missing afterwards.
set -euo pipefail

src=${CTPROF_SOURCE_DIR:?}
script=$src/scripts/install-deps
((EUID == 0)) || { echo "SKIP: needs root (the script would use sudo)"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/ctprof-deps-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/state" "$work/lists"
fail=0
pass() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }
expect_eq() { if [[ $2 == "$3" ]]; then pass "$1"; else bad "$1: got '$2', want '$3'"; fi; }

cat >"$work/bin/dpkg-query" <<'FAKE'
#!/usr/bin/env bash
# fake: dpkg-query -W -f=FORMAT PKG
pkg=${!#}
if grep -qxF "$pkg" "$FAKE_STATE/installed"; then
	printf 'install ok installed'
	exit 0
fi
echo "dpkg-query: no packages found matching $pkg" >&2
exit 1
FAKE
cat >"$work/bin/apt-get" <<'FAKE'
#!/usr/bin/env bash
# fake apt-get: logs its arguments; "install" marks packages installed.
[[ -z ${DEBIAN_FRONTEND:-} ]] && echo "apt-get: DEBIAN_FRONTEND unset" >>"$FAKE_STATE/apt.log"
args=()
for a in "$@"; do
	case $a in -o) skip=1; continue ;; esac
	if [[ -n ${skip:-} ]]; then skip=; continue; fi
	[[ $a == -* ]] || args+=("$a")
done
echo "${args[*]}" >>"$FAKE_STATE/apt.log"
if [[ ${args[0]} == install ]]; then
	if [[ -e $FAKE_STATE/fail_once ]]; then rm "$FAKE_STATE/fail_once"; exit 100; fi
	[[ -e $FAKE_STATE/no_effect ]] && exit 0
	printf '%s\n' "${args[@]:1}" >>"$FAKE_STATE/installed"
fi
exit 0
FAKE
chmod +x "$work/bin/"*

all=$(sed -n '/^PACKAGES=(/,/^)/{/^\t/p}' "$script" | tr -d '\t')
n=$(echo "$all" | wc -l)
if ((n >= 12)) && grep -qx libcmocka-dev <<<"$all"; then
	pass "package list parsed from the one array ($n packages)"
else
	bad "package list parsed from the one array: $all"
fi

export FAKE_STATE=$work/state PATH=$work/bin:$PATH CTPROF_APT_LISTS=$work/lists
run() { # expected-rc name
	local rc=0
	: >"$FAKE_STATE/apt.log"
	bash "$script" >"$work/out" 2>&1 || rc=$?
	expect_eq "$2: exit status" "$rc" "$1"
}
apt_log() { cat "$FAKE_STATE/apt.log"; }

# 1. Everything installed: apt-get is never run.
echo "$all" >"$FAKE_STATE/installed"
touch "$work/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages"
run 0 "all present"
expect_eq "all present: no apt-get" "$(apt_log)" ""
if grep -q "all $n packages already installed" "$work/out"; then
	pass "all present: says so"
else
	bad "all present: message: $(cat "$work/out")"
fi

# 2. Two missing, lists present: one install of exactly those two, no update.
echo "$all" | grep -vxE 'clang|check' >"$FAKE_STATE/installed"
run 0 "two missing"
expect_eq "two missing: apt-get calls" "$(apt_log)" "install clang check"
# ... and a second run does nothing (idempotent).
run 0 "second run"
expect_eq "second run: no apt-get" "$(apt_log)" ""

# 3. Lists absent: update first, then install.
rm -f "$work/lists/"*
echo "$all" | grep -vx zstd >"$FAKE_STATE/installed"
run 0 "lists absent"
expect_eq "lists absent: update then install" "$(apt_log)" $'update\ninstall zstd'

# 4. Lists present but stale (first install fails): update and retry.
touch "$work/lists/x_Packages"
echo "$all" | grep -vx cmake >"$FAKE_STATE/installed"
touch "$FAKE_STATE/fail_once"
run 0 "stale lists"
expect_eq "stale lists: install, update, install" "$(apt_log)" $'install cmake\nupdate\ninstall cmake'

# 5. apt-get claims success but the package is still missing: fail.
echo "$all" | grep -vx libcjson-dev >"$FAKE_STATE/installed"
touch "$FAKE_STATE/no_effect"
run 1 "no effect"
if grep -q "still missing after apt-get install: libcjson-dev" "$work/out"; then
	pass "no effect: names the package"
else
	bad "no effect: message: $(cat "$work/out")"
fi
rm -f "$FAKE_STATE/no_effect"

# 6. The real system: every package is installed already (CI installs them first).
rc=0
env PATH="${PATH#"$work/bin:"}" CTPROF_APT_LISTS=/nonexistent bash "$script" >"$work/out" 2>&1 || rc=$?
if ((rc == 0)) && grep -q "already installed" "$work/out"; then
	pass "real dpkg: nothing to install"
else
	bad "real dpkg: $(cat "$work/out")"
fi

exit $fail
