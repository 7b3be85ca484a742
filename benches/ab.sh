#!/usr/bin/env bash
# Interleaved A/B timing of two builds of a pure-Rust driver (crates/engine/src/bin/steady.rs or storm.rs),
# for changes smaller than this machine's noise: runs A and B alternately N times and prints
# each one's throughputs, sorted (compare medians; confirm with callgrind instruction counts).
#
#   cargo build --release -p lambda_core_engine --bin steady && cp target/release/steady /tmp/a
#   ... change, rebuild, cp target/release/steady /tmp/b ...
#   benches/ab.sh /tmp/a /tmp/b [N] [ROWS]
set -euo pipefail
n=${3:-8}
rows=${4:-10000000}
# ABBA order, so that neither build always runs second. Two copies of one binary differ by up to
# 5 % in their medians over 12 pairs on this VM: smaller differences need callgrind's counts.
for i in $(seq "$n"); do
  if [ $((i % 2)) -eq 1 ]; then order="A B"; else order="B A"; fi
  for x in $order; do
    if [ "$x" = A ]; then bin=$1; else bin=$2; fi
    echo "$x $("$bin" "$rows" | awk '{print $6}')"
  done
done | sort -k1,1 -k2n | awk '{a[$1] = a[$1] " " $2} END {for (k in a) print k ":" a[k] " (M/s)"}' | sort
