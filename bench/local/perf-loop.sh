#!/bin/bash
# Local: perf record (cpu-clock, user and kernel, per thread) of the measured loop only of one client.
# local/perf-loop.sh <client> <scenario> <out.data> [node flags]; the servers: `node local/serve.mjs &` (/tmp/mc-addrs).
set -e
c=$1; sc=$2; out=$3
d=$(mktemp -d); mkfifo $d/ctl $d/ack
PERF_CTL=$d/ctl PERF_ACK=$d/ack perf record -q -e cpu-clock -F 4000 -D -1 --control fifo:$d/ctl,$d/ack -o $out -- \
  node --perf-basic-prof --logfile=$d/v8.log --no-logfile-per-isolate --expose-gc $4 $(dirname $0)/../src/worker.mjs $c $(cat /tmp/mc-addrs) full $sc | tail -1 | grep -o '"ops":[0-9]*\|"opsPerSec":[0-9]*\|"cpuUsPerCall":[0-9.]*' | tr '\n' ' '
rm -rf $d; echo
