#!/bin/bash
# Local: user-space instructions per op of one client on one scenario, counted by callgrind (exact
# and repeatable, unlike time on this VM): two runs after the same warm-up, N1 and N2 ops, and the
# difference divided by N2 - N1. JIT code is attributed to JS functions through node's
# --perf-basic-prof map (bench/local/icount-report.py prints the table).
# local/icount.sh <client> <scenario> [N1=2000] [N2=6000] [W=20000]   (servers: node local/serve.mjs)
set -euo pipefail
c=$1; sc=$2; n1=${3:-2000}; n2=${4:-6000}; w=${5:-20000}
dir=${ICOUNT_DIR:-/tmp/icount}; mkdir -p "$dir"
addrs=$(cat /tmp/mc-addrs)
tag=$(echo "$c" | tr '@=,' '___')
here=$(cd "$(dirname "$0")" && pwd)
cd "$dir" # V8's code log (isolate-*.log, from --perf-basic-prof) lands here
for n in $n1 $n2; do
  valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file="$dir/$tag-$sc-$n.out" \
    node --perf-basic-prof "$here/icount.mjs" "$c" "$addrs" "$sc" "$n" "$w" 2>/dev/null
done
python3 "$here/icount-report.py" "$dir/$tag-$sc-$n1.out" "$dir/$tag-$sc-$n2.out" $((n2 - n1)) "${TOP:-25}"
