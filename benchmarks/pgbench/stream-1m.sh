#!/usr/bin/env bash
# Can pgseal stream a 1M-row result with a 128 MB heap?
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<EOF
Usage: benchmarks/pgbench/stream-1m.sh [options]

Starts pgseal (plain proxy in front of the local PostgreSQL) with -Xmx128m, GC logging and
-XX:+ExitOnOutOfMemoryError, then reads
  select g, repeat('x', 100) from generate_series(1, 1000000) g
through it twice: with psql (a fast reader), and with SlowResultReader, which sends the query and
then does not read for --pause-ms, so a proxy without backpressure would have to hold the result in
its heap. Reports rows received, time, peak heap occupancy (GC log) and peak RSS (VmHWM).
Prints "1M rows streamed under -Xmx128m: yes|no". Measures only: exits 0 either way.

Options:
      --rows N         rows to stream [1000000]
      --heap SIZE      pgseal -Xmx [128m]
      --pause-ms N     how long the slow reader stalls [10000]
  -h, --help           this text
EOF
}

rows=1000000 heap=128m pause_ms=10000
while (($#)); do
  case $1 in
    --rows) rows=$2; shift 2 ;;
    --heap) heap=$2; shift 2 ;;
    --pause-ms) pause_ms=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1 (try --help)" >&2; exit 2 ;;
  esac
done
[[ $rows =~ ^[1-9][0-9]*$ && $pause_ms =~ ^[0-9]+$ && $heap =~ ^[1-9][0-9]*[kmgKMG]$ ]] \
  || { echo "bad --rows, --pause-ms or --heap" >&2; exit 2; }

bench_init
pgseal_available || die "'$PGSEAL_CMD serve --help' fails: build pgseal first"
gc_log="$BENCH_TMP/gc.log"
start_pgseal "$PG_PORT" "-Xmx$heap -XX:+ExitOnOutOfMemoryError -Xlog:gc:file=$gc_log ${PGSEAL_JAVA_OPTS:-}"

sql="select g, repeat('x', 100) from generate_series(1, $rows) g"
now_ms() { date +%s%3N; }
# psql_count PORT: rows psql receives (psql keeps the whole result in its own memory, not pgseal's).
psql_count() {
  psql -X -At -h 127.0.0.1 -p "$1" -U "$PG_USER" -d postgres -c "$sql" | wc -l
}

t0=$(now_ms); direct_rows=$(psql_count "$PG_PORT"); direct_ms=$(( $(now_ms) - t0 ))
log "direct: $direct_rows rows in $direct_ms ms"

fast_rows=0 fast_ms=0
t0=$(now_ms)
if fast_rows=$(psql_count "$PGSEAL_PORT"); then fast_ms=$(( $(now_ms) - t0 )); else fast_rows=0; fi
log "through pgseal, psql: $fast_rows rows in $fast_ms ms"

slow_out="$BENCH_TMP/slow.out"
slow_rows=0
if kill -0 "$PGSEAL_PID" 2>/dev/null \
   && java "$LOAD_SRC/SlowResultReader.java" --port "$PGSEAL_PORT" --pause-ms "$pause_ms" --sql "$sql" >"$slow_out"; then
  slow_rows=$(awk -F= '$1 == "rows" { print $2 }' "$slow_out")
fi
log "through pgseal, reader stalled ${pause_ms} ms: $slow_rows rows"

alive=no; kill -0 "$PGSEAL_PID" 2>/dev/null && alive=yes
peak_rss_kb=$([[ $alive == yes ]] && rss_kb "$PGSEAL_PID" VmHWM || echo 0)
heap_info=""
# jcmd attaches with SIGQUIT, which would kill anything that is not a JVM.
if [[ $alive == yes && $(readlink "/proc/$PGSEAL_PID/exe") == */java ]]; then
  heap_info=$(jcmd "$PGSEAL_PID" GC.heap_info 2>/dev/null || true)
fi
oom=no; grep -q OutOfMemoryError "$PGSEAL_LOG" && oom=yes
# -Xlog:gc lines end in "<before>M-><after>M(<committed>M) <time>ms"; before = occupancy when GC ran.
read -r gcs peak_before peak_after < <(awk '
  match($0, /[0-9]+M->[0-9]+M\([0-9]+M\)/) {
    split(substr($0, RSTART, RLENGTH), p, /M->|M\(|M\)/); n++
    if (p[1] + 0 > b) b = p[1] + 0
    if (p[2] + 0 > a) a = p[2] + 0
  }
  END { print n + 0, b + 0, a + 0 }' "$gc_log" 2>/dev/null || echo "0 0 0")

streamed=no
[[ $fast_rows == "$rows" && $slow_rows == "$rows" && $alive == yes && $oom == no ]] && streamed=yes

echo
echo "Streaming $rows rows of ~110 bytes through pgseal with -Xmx$heap"
echo "  direct, psql:               $direct_rows rows in $direct_ms ms"
echo "  pgseal, psql:               $fast_rows rows in $fast_ms ms"
echo "  pgseal, reader stalled ${pause_ms}ms: $slow_rows rows"
echo "  pgseal alive afterwards: $alive; OutOfMemoryError in its log: $oom"
echo "  GC runs: $gcs; peak heap occupancy before a GC: ${peak_before} MB; largest heap after a GC: ${peak_after} MB"
echo "  peak RSS (VmHWM): $(awk -v kb="$peak_rss_kb" 'BEGIN { printf "%.1f", kb / 1024 }') MB"
if [[ -n $heap_info ]]; then echo "  jcmd GC.heap_info:"; sed 's/^/    /' <<<"$heap_info"; fi
label=$rows; [[ $rows == 1000000 ]] && label=1M
echo "$label rows streamed under -Xmx$heap: $streamed"
echo "RESULT streamed=$streamed peak_heap_mb=$peak_before live_heap_mb=$peak_after peak_rss_mb=$(awk -v kb="$peak_rss_kb" 'BEGIN { printf "%.1f", kb / 1024 }')"
