#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The docs keep up with the code: every gpupartctl command (as the tool's
# own help lists them), option, JSON key and event, and every module
# parameter (as modinfo lists them) is in the man page, and every command,
# event and parameter is in the administrator's guide.
. "$(dirname "$0")/../lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
G=$TOP/userspace/gpupartctl
MAN=$TOP/Documentation/gpupartctl.8
RST=$TOP/Documentation/gpupart.rst

tap_plan 9
[ -x "$G" ] && [ -f "$TOP/gpupart.ko" ] || tap_skip_rest "docs" "run 'make module tool' first"
command -v man >/dev/null || tap_skip_rest "docs" "man is not installed"
text=$(mktemp)
trap 'rm -f "$text"' EXIT
# The page as a reader sees it, one long line per paragraph.
MANWIDTH=1000 man -l "$MAN" 2>/dev/null | col -b | sed 's/‐/-/g' >"$text"

# "OBJECT COMMAND" for each command the tool knows, e.g. "dev show", "monitor".
commands() {
	"$G" help | sed -n 's/^  gpupartctl \[-j\] \[-p\] \([a-z]*\)\( [a-z]*\)\{0,1\}\( .*\)\{0,1\}$/\1\2/p' |
		sed 's/ $//' | sort -u
}

missing() {
	where=$1
	file=$2
	shift 2
	n=0
	for w in "$@"; do
		grep -qF -- "$w" "$file" || { diag "$where lacks '$w'"; n=$((n + 1)); }
	done
	[ $n -eq 0 ]
}

man_commands() {
	# shellcheck disable=SC2046 # one name a word
	set -- $(commands | tr ' ' '+')
	[ $# -ge 12 ] || { diag "only $# commands found in help: $*"; return 1; }
	for c in "$@"; do
		grep -qF "$(echo "$c" | tr '+' ' ')" "$text" || { diag "gpupartctl.8 lacks '$(echo "$c" | tr '+' ' ')'"; return 1; }
	done
}

rst_commands() {
	for c in $(commands | tr ' ' '+'); do
		grep -qF "gpupartctl $(echo "$c" | tr '+' ' ')" "$RST" ||
			{ diag "gpupart.rst lacks 'gpupartctl $(echo "$c" | tr '+' ' ')'"; return 1; }
	done
}

params() {
	modinfo -F parm "$TOP/gpupart.ko" | cut -d: -f1
}

man_params() {
	# shellcheck disable=SC2046 # one name a word
	set -- $(params)
	[ $# -ge 3 ] || { diag "modinfo lists: $*"; return 1; }
	# shellcheck disable=SC2046 # one name a word
	missing "gpupartctl.8" "$text" $(for p in "$@"; do echo "$p="; done) &&
		missing "gpupart.rst" "$RST" $(for p in "$@"; do echo "$p="; done)
}

man_options_exits() {
	missing "gpupartctl.8" "$text" -j --json -p --pretty -h --help "EXIT STATUS" &&
		grep -A12 '^EXIT STATUS' "$text" | grep -qE '^ +0 ' &&
		grep -A12 '^EXIT STATUS' "$text" | grep -qE '^ +1 ' &&
		grep -A12 '^EXIT STATUS' "$text" | grep -qE '^ +2 '
}

# Every key the tool prints in JSON, from its sources.
man_json_keys() {
	# shellcheck disable=SC2046 # one name a word
	set -- $(cat "$TOP"/userspace/*.c | grep -o 'print_[a-z0-9_]*("[a-z_]*"' |
		sed 's/.*("//; s/"$//' | sort -u)
	[ $# -ge 30 ] || { diag "only $# keys found"; return 1; }
	missing "gpupartctl.8" "$text" "$@"
}

events() {
	sed -n '/^GPNL_NAMES(gpnl_event_names,/,/);$/p' "$TOP/userspace/gpnl.c" |
		sed -n 's/.*_NTF\] = "\([a-z-]*\)".*/\1/p'
}

events_documented() {
	# shellcheck disable=SC2046 # one name a word
	set -- $(events)
	[ $# -ge 9 ] || { diag "only $# events found"; return 1; }
	missing "gpupartctl.8" "$text" "$@" && missing "gpupart.rst" "$RST" "$@"
}

# The netlink spec documents every attribute, operation and enum value.
spec_documented() {
	/usr/bin/python3 - "$TOP/Documentation/netlink/specs/gpupart.yaml" <<'PY'
import sys, yaml
spec = yaml.safe_load(open(sys.argv[1]))
bare = []
for s in spec["attribute-sets"]:
    bare += ["attribute %s.%s" % (s["name"], a["name"]) for a in s["attributes"]
             if a.get("type") != "pad" and not a.get("doc")]
bare += ["operation " + o["name"] for o in spec["operations"]["list"] if not o.get("doc")]
for d in spec.get("definitions", []):
    bare += ["definition " + d["name"]] if not d.get("doc") else []
    bare += ["%s value %s" % (d["name"], e["name"]) for e in d.get("entries", [])
             if isinstance(e, dict) and not e.get("doc")]
for b in bare:
    print("# undocumented: " + b)
sys.exit(1 if bare else 0)
PY
}

# Every line the module can log, its fixed text, is in the admin guide's
# troubleshooting list (or elsewhere in it).
log_lines_documented() {
	/usr/bin/python3 - "$RST" "$TOP/kmod" <<'PY'
import glob, re, sys
rst = open(sys.argv[1]).read()
missing = []
for path in sorted(glob.glob(sys.argv[2] + "/*.c")):
    src = open(path).read()
    for m in re.finditer(r'\b(?:pr|pci|dev)_(?:info|warn|err|notice)(?:_ratelimited)?\s*\(', src):
        lit = re.match(r'[^"]*?((?:"(?:[^"\\]|\\.)*"\s*)+)', src[m.end():], re.S)
        if not lit:
            continue
        fmt = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', lit.group(1)))
        fmt = fmt.replace('\\"', '"').replace("\\n", "")
        for chunk in re.split(r'%[-+ #0-9.]*[a-zA-Z]+', fmt):
            chunk = chunk.strip(" :()")
            if len(chunk) >= 4 and chunk not in rst:
                missing.append('%s: "%s"' % (path.split("/")[-1], chunk))
for x in missing:
    print("# not in the admin guide: " + x)
sys.exit(1 if missing else 0)
PY
}

# The README's Layout names every source file of the module and the tool.
readme_layout() {
	layout=$(sed -n '/^## Layout and documentation/,/^- Administrator/p' "$TOP/README.md")
	gone=
	for f in "$TOP"/kmod/*.[ch] "$TOP"/userspace/*.c; do
		base=$(basename "$f")
		printf '%s\n' "$layout" | grep -q "$base" || gone="$gone $base"
	done
	[ -z "$gone" ] || { diag "not in the README's Layout:$gone"; return 1; }
}

tap_check "every gpupartctl command is in gpupartctl.8" man_commands
tap_check "every gpupartctl command is in the admin guide" rst_commands
tap_check "every module parameter is in gpupartctl.8 and the admin guide" man_params
tap_check "gpupartctl.8 has every option and exit code" man_options_exits
tap_check "gpupartctl.8 has every JSON key the tool prints" man_json_keys
tap_check "every event is in gpupartctl.8 and the admin guide" events_documented
tap_check "the netlink spec documents every attribute, operation and value" spec_documented
tap_check "every kernel log line of the module is in the admin guide" log_lines_documented
tap_check "the README's Layout names every kmod/ and userspace/ source file" readme_layout
tap_finish
