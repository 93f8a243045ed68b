#!/bin/bash
# Local: user-space instructions per op of one client on one scenario, counted by callgrind (exact
# and repeatable, unlike time on this VM). icount.mjs zeroes the counters after its warm-up of W ops
# and dumps them after N more, so the dump is those N ops alone (plus whatever the JIT and the GC did
# meanwhile: a major GC or a recompilation inside the window shows up as V8 internals). JIT code is
# attributed to JS functions through node's --perf-basic-prof map (icount-report.py prints the table).
# local/icount.sh <client> <scenario> [N=10000] [W=40000]   (servers: node local/serve.mjs; a shorter
# window caught V8 re-optimizing mc's get() inside it and moved by ±1k instructions per get)
set -euo pipefail
c=$1; sc=$2; n=${3:-10000}; w=${4:-40000}
dir=${ICOUNT_DIR:-/tmp/icount}; mkdir -p "$dir"
addrs=$(cat /tmp/mc-addrs)
tag=$(echo "$c" | tr '@=,|' '____')
here=$(cd "$(dirname "$0")" && pwd)
out="$dir/$tag-$sc.out"
rm -f "$out" "$out".*
cd "$dir" # V8's code log (isolate-*.log, from --perf-basic-prof) lands here
valgrind --tool=callgrind --separate-threads=yes --smc-check=all-non-file --callgrind-out-file="$out" \
  node --perf-basic-prof "$here/icount.mjs" "$c" "$addrs" "$sc" "$n" "$w" 2>/dev/null
# The main thread (the event loop) only: the GC and compiler helper threads are counted apart.
python3 "$here/icount-report.py" "$out.1-01" "$n" "${TOP:-25}"
