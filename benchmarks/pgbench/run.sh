#!/usr/bin/env bash
# pgbench throughput: direct PostgreSQL vs pgseal (plain proxy, no policy) vs PgBouncer (session mode).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<EOF
Usage: benchmarks/pgbench/run.sh [options]

Runs pgbench against PostgreSQL directly, through pgseal and through PgBouncer (session pooling),
alternating the three in every round, for TPC-B and select-only (-S) in -M extended and -M prepared,
and prints median TPS and ratios. Measures only: exits 0 whether or not a target is met.

Options (defaults in brackets):
  -T, --duration SECONDS   length of each pgbench run [30]
  -r, --rounds N           rounds per workload and mode; each round runs every target once [3]
  -c, --clients N          pgbench clients [8]
  -j, --threads N          pgbench threads [2]
  -s, --scale N            pgbench scale factor [10]
  -w, --warmup SECONDS     one unmeasured select-only run per target first (JIT, caches); 0 = none [10]
      --workloads LIST     comma-separated: tpcb,select-only [tpcb,select-only]
      --modes LIST         comma-separated: extended,prepared,simple [extended,prepared]
      --targets LIST       comma-separated: direct,pgseal,pgbouncer [direct,pgseal,pgbouncer]
      --db NAME            scratch database, dropped and re-created [pgseal_bench]
      --no-init            reuse the scratch database as it is (skip dropdb/createdb/pgbench -i)
      --results DIR        where to write the Markdown and CSV [benchmarks/results]
      --profile            record pgseal with JFR (settings=profile) into the results folder and
                           print its hottest methods at the end (costs a few % of pgseal's speed)
  -h, --help               this text

Environment: PG_HOST/PG_PORT/PG_USER (PostgreSQL, default 127.0.0.1:5432 postgres, trust auth),
PGSEAL_CMD (launcher, default ./pgseal), PGSEAL_JAVA_OPTS (JVM options for pgseal),
BENCH_KEEP_TMP=1 keeps the generated configs and logs, PGSEAL_SNAPSHOT=0 runs ./pgseal itself
instead of a private copy of proxy-wire/target/pgseal.jar (the copy survives a rebuild mid-run).

Targets: pgseal >= 0.85x direct on TPC-B, >= 0.80x on select-only (printed as PASS/MISS).
EOF
}

duration=30 rounds=3 clients=8 threads=2 scale=10 warmup=10
workloads=tpcb,select-only modes=extended,prepared targets=direct,pgseal,pgbouncer
dbname=pgseal_bench init=1 results_dir="$BENCH_DIR/results" profile=0

while (($#)); do
  case $1 in
    -T|--duration) duration=$2; shift 2 ;;
    -r|--rounds) rounds=$2; shift 2 ;;
    -c|--clients) clients=$2; shift 2 ;;
    -j|--threads) threads=$2; shift 2 ;;
    -s|--scale) scale=$2; shift 2 ;;
    -w|--warmup) warmup=$2; shift 2 ;;
    --workloads) workloads=$2; shift 2 ;;
    --modes) modes=$2; shift 2 ;;
    --targets) targets=$2; shift 2 ;;
    --db) dbname=$2; shift 2 ;;
    --no-init) init=0; shift ;;
    --results) results_dir=$2; shift 2 ;;
    --profile) profile=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1 (try --help)" >&2; exit 2 ;;
  esac
done

for n in "$duration" "$rounds" "$clients" "$threads" "$scale"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "not a positive integer: $n" >&2; exit 2; }
done
[[ $warmup =~ ^[0-9]+$ ]] || { echo "not a number of seconds: $warmup" >&2; exit 2; }
IFS=, read -r -a workload_list <<<"$workloads"
IFS=, read -r -a mode_list <<<"$modes"
IFS=, read -r -a target_list <<<"$targets"
for w in "${workload_list[@]}"; do [[ $w == tpcb || $w == select-only ]] || { echo "unknown workload: $w" >&2; exit 2; }; done
for m in "${mode_list[@]}"; do [[ $m == extended || $m == prepared || $m == simple ]] || { echo "unknown mode: $m" >&2; exit 2; }; done
for t in "${target_list[@]}"; do [[ $t == direct || $t == pgseal || $t == pgbouncer ]] || { echo "unknown target: $t" >&2; exit 2; }; done
has_target() { [[ ",$targets," == *",$1,"* ]]; }

bench_init
psql_direct() { psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$@"; }
psql_direct -d postgres -Atc 'select 1' >/dev/null || die "cannot reach PostgreSQL at $PG_HOST:$PG_PORT as $PG_USER"
if has_target pgseal && ! pgseal_available; then
  die "'$PGSEAL_CMD serve --help' fails: build pgseal first, or run with --targets direct,pgbouncer"
fi

if ((init)); then
  log "creating $dbname and initialising pgbench (scale $scale)"
  psql_direct -d postgres -c "drop database if exists $dbname with (force)" >/dev/null
  psql_direct -d postgres -c "create database $dbname" >/dev/null
  pgbench -i -q -s "$scale" -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$dbname" >"$BENCH_TMP/init.log" 2>&1 \
    || { cat "$BENCH_TMP/init.log" >&2; die "pgbench -i failed"; }
fi

stamp=$(date -u +%Y-%m-%dT%H%MZ)
mkdir -p "$results_dir"
results_dir=$(cd "$results_dir" && pwd)
jfr_file=""
((profile)) && has_target pgseal && jfr_file="$results_dir/pgseal-$stamp.jfr"

declare -A port
port[direct]=$PG_PORT
if has_target pgseal; then start_pgseal "$PG_PORT"; port[pgseal]=$PGSEAL_PORT; fi
if has_target pgbouncer; then start_pgbouncer "$dbname" $((clients + 2)); port[pgbouncer]=$PGBOUNCER_PORT; fi
for t in "${target_list[@]}"; do
  psql -X -h 127.0.0.1 -p "${port[$t]}" -U "$PG_USER" -d "$dbname" -Atc 'select count(*) from pgbench_branches' >/dev/null \
    || die "sanity query through $t failed"
done

raw_csv="$results_dir/pgbench-$stamp-runs.csv"
echo "workload,mode,round,target,tps" >"$raw_csv"

total=$(( ${#workload_list[@]} * ${#mode_list[@]} * rounds * ${#target_list[@]} ))
log "$total pgbench runs of ${duration}s (-c $clients -j $threads); about $(( total * (duration + 3) / 60 + 1 )) min"

# run_pgbench WORKLOAD MODE TARGET: prints the TPS without initial connection time.
run_pgbench() {
  local workload=$1 mode=$2 target=$3 out="$BENCH_TMP/pgbench.out"
  local args=(-h 127.0.0.1 -p "${port[$target]}" -U "$PG_USER" -c "$clients" -j "$threads" -T "$duration" -M "$mode")
  [[ $workload == select-only ]] && args+=(-S)
  if ! pgbench "${args[@]}" "$dbname" >"$out" 2>&1; then
    cat "$out" >&2; die "pgbench failed against $target"
  fi
  # pgbench 15: "tps = 1234.5 (without initial connection time)"; older: "(excluding connections establishing)"
  local tps
  tps=$(awk '/^tps = / && /(without initial connection time|excluding connections establishing)/ { print $3 }' "$out")
  [[ -n $tps ]] || { cat "$out" >&2; die "no TPS line in pgbench output"; }
  if grep -q '^number of failed transactions: [1-9]' "$out"; then log "warning: failed transactions against $target"; fi
  echo "$tps"
}

if ((warmup)); then
  for t in "${target_list[@]}"; do
    pgbench -h 127.0.0.1 -p "${port[$t]}" -U "$PG_USER" -c "$clients" -j "$threads" -T "$warmup" -S -M prepared \
      "$dbname" >"$BENCH_TMP/warmup.out" 2>&1 || { cat "$BENCH_TMP/warmup.out" >&2; die "warm-up against $t failed"; }
  done
  log "warmed up each target for ${warmup}s (not measured)"
fi
if [[ -n $jfr_file ]]; then
  # Record from here on, so start-up and warm-up stay out of the profile.
  jcmd "$PGSEAL_PID" JFR.start name=bench settings=profile >/dev/null || die "could not start JFR in pgseal (pid $PGSEAL_PID)"
fi

run=0
ntargets=${#target_list[@]}
for workload in "${workload_list[@]}"; do
  for mode in "${mode_list[@]}"; do
    for ((round = 1; round <= rounds; round++)); do
      # Rotate the starting target each round so no target always runs first (or last).
      for ((k = 0; k < ntargets; k++)); do
        target=${target_list[$(( (k + round - 1) % ntargets ))]}
        run=$((run + 1))
        tps=$(run_pgbench "$workload" "$mode" "$target")
        log "[$run/$total] $workload -M $mode round $round $target: $tps tps"
        echo "$workload,$mode,$round,$target,$tps" >>"$raw_csv"
      done
    done
  done
done

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { [[ -n $1 && -n $2 ]] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' || echo "-"; }
fmt() { [[ -n $1 ]] && printf '%.0f' "$1" || echo "-"; }

summary_csv="$results_dir/pgbench-$stamp.csv"
markdown="$results_dir/pgbench-$stamp.md"
echo "workload,mode,direct_tps,pgseal_tps,pgbouncer_tps,pgseal_vs_direct,pgbouncer_vs_direct,pgseal_vs_pgbouncer,target,verdict,beats_pgbouncer" >"$summary_csv"
rows=()
verdicts=()
for workload in "${workload_list[@]}"; do
  for mode in "${mode_list[@]}"; do
    declare -A med=()
    for t in direct pgseal pgbouncer; do
      med[$t]=$(awk -F, -v w="$workload" -v m="$mode" -v t="$t" '$1 == w && $2 == m && $4 == t { print $5 }' "$raw_csv" | median)
    done
    want=0.85; [[ $workload == select-only ]] && want=0.80
    r_seal=$(ratio "${med[pgseal]}" "${med[direct]}")
    r_bouncer=$(ratio "${med[pgbouncer]}" "${med[direct]}")
    r_versus=$(ratio "${med[pgseal]}" "${med[pgbouncer]}")
    if [[ $r_seal == - ]]; then verdict="n/a"
    elif awk -v r="${med[pgseal]}" -v d="${med[direct]}" -v w="$want" 'BEGIN { exit !(r / d >= w) }'; then verdict=PASS
    else verdict=MISS; fi
    ahead="-"
    if [[ $r_versus != - ]]; then
      ahead=no; awk -v a="${med[pgseal]}" -v b="${med[pgbouncer]}" 'BEGIN { exit !(a > b) }' && ahead=yes
    fi
    echo "$workload,$mode,${med[direct]},${med[pgseal]},${med[pgbouncer]},$r_seal,$r_bouncer,$r_versus,$want,$verdict,$ahead" >>"$summary_csv"
    rows+=("$workload|$mode|$(fmt "${med[direct]}")|$(fmt "${med[pgseal]}")|$(fmt "${med[pgbouncer]}")|$r_seal|$r_bouncer|$r_versus|>= $want|$verdict|$ahead")
    verdicts+=("$verdict")
    unset med
  done
done

header="workload|mode|direct TPS|pgseal TPS|pgbouncer TPS|pgseal/direct|pgbouncer/direct|pgseal/pgbouncer|target|pgseal|beats pgbouncer"
conditions="pgbench -c $clients -j $threads -T $duration, scale $scale, $rounds rounds, median TPS (without initial connection time); $(nproc) cores; PostgreSQL $(psql_direct -d postgres -Atc 'show server_version'); $(pgbouncer --version | head -n 1)"
{
  echo "# pgbench: direct vs pgseal vs PgBouncer ($stamp)"
  echo
  echo "$conditions. pgseal runs as a plain proxy (no policy); PgBouncer in session mode."
  echo
  echo "| ${header//|/ | } |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---|---|---|"
  for row in "${rows[@]}"; do echo "| ${row//|/ | } |"; done
  echo
  echo "Per-run TPS: \`$(basename "$raw_csv")\`."
} >"$markdown"

echo
echo "$conditions"
echo "pgseal: plain proxy (no policy); pgbouncer: session mode"
echo
{ echo "$header"; printf '%s\n' "${rows[@]}"; } | column -t -s '|'
echo
echo "results: $markdown"
echo "         $summary_csv"
echo "         $raw_csv"
if [[ -n $jfr_file ]]; then
  jcmd "$PGSEAL_PID" JFR.stop name=bench filename="$jfr_file" >/dev/null || log "warning: JFR.stop failed"
  if [[ -s $jfr_file ]]; then
    echo
    echo "pgseal CPU samples (JFR execution samples over all measured runs; time in syscalls is not"
    echo "sampled, so this shows where pgseal's Java code spends CPU): $jfr_file"
    jfr print --stack-depth 64 --events jdk.ExecutionSample "$jfr_file" >"$BENCH_TMP/samples.txt"
    # top frame of each sample, and the innermost pgseal frame (where pgseal's own code spends it)
    awk '
      /stackTrace = \[/ { in_stack = 1; top = ""; own = ""; next }
      in_stack && /^[ \t]*\]/ { in_stack = 0; total++; n[top]++; if (own != "") m[own]++; next }
      in_stack {
        f = $0; sub(/^[ \t]+/, "", f); sub(/[ \t]+line:.*/, "", f)
        if (top == "") top = f
        if (own == "" && f ~ /^dev\.pgseal\./) own = f
      }
      END {
        for (f in n) printf "top   %6.1f%%  %s\n", 100 * n[f] / total, f
        for (f in m) printf "own   %6.1f%%  %s\n", 100 * m[f] / total, f
        printf "count %d\n", total
      }' "$BENCH_TMP/samples.txt" >"$BENCH_TMP/profile.txt"
    echo "  samples: $(awk '$1 == "count" { print $2 }' "$BENCH_TMP/profile.txt")"
    echo "  top frames:"
    grep '^top' "$BENCH_TMP/profile.txt" | sort -k2 -rn | head -n 20 | cut -c6-
    echo "  innermost pgseal frame on the stack:"
    grep '^own' "$BENCH_TMP/profile.txt" | sort -k2 -rn | head -n 15 | cut -c6-
  fi
fi
misses=0
for v in "${verdicts[@]}"; do [[ $v == MISS ]] && misses=$((misses + 1)); done
echo "pgseal targets missed: $misses of ${#verdicts[@]}"
exit 0
