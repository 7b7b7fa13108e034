#!/usr/bin/env bash
# pgseal's resident memory with 1,000 idle client sessions.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<EOF
Usage: benchmarks/pgbench/idle-rss.sh [options]

Starts a private PostgreSQL 15 (initdb in a temp folder, max_connections = sessions + 100, so the
shared service on :5432 is not touched) and pgseal in front of it (plain proxy, default JVM options
unless PGSEAL_JAVA_OPTS is set), opens N idle client sessions through pgseal (each one is a real
session with its own backend), and reads pgseal's VmRSS from /proc before and after.
Target: <= 300 MB with 1,000 sessions. Measures only: exits 0 when the sessions opened.

Options:
  -n, --sessions N     idle sessions to open [1000]
      --limit-mb N     RSS target printed as PASS/MISS [300]
  -h, --help           this text
EOF
}

sessions=1000 limit_mb=300
while (($#)); do
  case $1 in
    -n|--sessions) sessions=$2; shift 2 ;;
    --limit-mb) limit_mb=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1 (try --help)" >&2; exit 2 ;;
  esac
done
[[ $sessions =~ ^[1-9][0-9]*$ && $limit_mb =~ ^[1-9][0-9]*$ ]] || { echo "expected positive integers" >&2; exit 2; }

bench_init
pgseal_available || die "'$PGSEAL_CMD serve --help' fails: build pgseal first"
start_temp_cluster $((sessions + 100))
start_pgseal "$TEMP_PG_PORT"

out="$BENCH_TMP/idle.out"
log "opening $sessions idle sessions through pgseal"
if ! java "$LOAD_SRC/IdleConnections.java" --port "$PGSEAL_PORT" --count "$sessions" --pid "$PGSEAL_PID" >"$out"; then
  cat "$out" >&2; log "pgseal log:"; tail -n 30 "$PGSEAL_LOG" >&2
  die "could not hold $sessions sessions through pgseal"
fi
value() { awk -F= -v k="$1" '$1 == k { print $2 }' "$out"; }
before=$(value rss_before_kb) after=$(value rss_after_kb) peak=$(value rss_peak_kb)
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }
per_session=$(awk -v a="$after" -v b="$before" -v n="$sessions" 'BEGIN { printf "%.1f", (a - b) / n }')
heap_before=$(value heap_before_kb) heap_after=$(value heap_after_kb)
heap_line="n/a (not a JVM, or jcmd failed)" heap_per_session=n/a
if [[ -n $heap_before && -n $heap_after ]]; then
  heap_per_session=$(awk -v a="$heap_after" -v b="$heap_before" -v n="$sessions" 'BEGIN { printf "%.1f", (a - b) / n }')
  heap_line="$(mb "$heap_before") MB -> $(mb "$heap_after") MB, $heap_per_session kB per session"
fi
verdict=MISS; (( after <= limit_mb * 1024 )) && verdict=PASS

echo
echo "pgseal RSS, $sessions idle sessions (JVM options: ${PGSEAL_JAVA_OPTS:-default})"
echo "  before:       $(mb "$before") MB (after 20 warm-up sessions)"
echo "  with $sessions:  $(mb "$after") MB   target <= $limit_mb MB: $verdict"
echo "  peak (VmHWM): $(mb "$peak") MB"
echo "  RSS per session: $per_session kB (RSS also moves when the JVM grows or trims its heap)"
echo "  live heap after a full GC (jcmd): $heap_line"
echo "  opened in:    $(value open_ms) ms; every session answered 'select 1': $(value all_sessions_answered)"
echo "RESULT idle_rss_mb=$(mb "$after") before_mb=$(mb "$before") rss_per_session_kb=$per_session heap_per_session_kb=$heap_per_session verdict=$verdict"
