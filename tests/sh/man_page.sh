#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The man page renders without warnings, and its COMMANDS section names
# only commands that `ctprof-harness --help` lists (and lists `info`).
set -euo pipefail

src=${CTPROF_SOURCE_DIR:?}
harness=${CTPROF_HARNESS:?}
page=$src/man/ctprof-harness.1
command -v groff >/dev/null || { echo "SKIP: groff not installed"; exit 77; }

fail=0
warn=$(groff -ww -z -man "$page" 2>&1)
if [[ -z $warn ]]; then echo "ok - groff -ww: no warnings"; else echo "not ok - groff: $warn"; fail=1; fi
if command -v man >/dev/null; then
	warn=$(MANWIDTH=80 man -l "$page" 2>&1 >/dev/null)
	if [[ -z $warn ]]; then echo "ok - man -l: no warnings"; else echo "not ok - man -l: $warn"; fail=1; fi
fi

# .TP entries of COMMANDS: the first word of the line after each .TP.
man_cmds=$(awk '/^\.SH /{sec=$2} sec=="COMMANDS" && prev==".TP" && $2 ~ /^[a-z][a-z0-9-]*$/ {print $2} {prev=$1}' "$page" |
	sort -u)
help_cmds=$("$harness" --help | awk '/^Commands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{exit}' |
	sort -u)
[[ -n $man_cmds ]] || { echo "not ok - no commands found in the man page"; exit 1; }
for c in $man_cmds; do
	if grep -qxF "$c" <<<"$help_cmds"; then
		echo "ok - man command '$c' exists"
	else
		echo "not ok - man page documents '$c', which ctprof-harness --help does not list"
		fail=1
	fi
done
for c in info help; do
	if grep -qxF "$c" <<<"$man_cmds"; then
		echo "ok - man page documents '$c'"
	else
		echo "not ok - man page lacks '$c'"
		fail=1
	fi
done
exit $fail
