#!/bin/bash
# Local: user-space samples (250 µs each) per op of the measured loop, for N alternating runs.
# local/perf-user.sh <scenario> <rounds> <client[|flags]>...
sc=$1; n=$2; shift 2
for i in $(seq $n); do for spec in "$@"; do
  c=${spec%%|*}; f=""; [[ $spec == *"|"* ]] && f=${spec#*|}
  line=$($(dirname $0)/perf-loop.sh $c $sc /tmp/pu.data "$f")
  ops=$(echo $line | grep -o '"ops":[0-9]*' | cut -d: -f2)
  rate=$(echo $line | grep -o '"opsPerSec":[0-9]*' | cut -d: -f2)
  read k u <<<$(perf report -i /tmp/pu.data -n --no-children --sort dso -q 2>/dev/null | awk '/kernel/ {k+=$2; next} {u+=$2} END {print k, u}')
  awk -v s="$spec" -v k=$k -v u=$u -v o=$ops -v r=$rate 'BEGIN {printf "%-34s %6d/s  user %5.2f µs/op  kernel %5.2f µs/op\n", s, r, u*250/o, k*250/o}'
done; done
