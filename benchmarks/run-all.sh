#!/usr/bin/env bash
# Runs the three load benchmarks (pgbench throughput, idle-session RSS, 1M-row stream) and prints a summary.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() {
  cat <<EOF
Usage: benchmarks/run-all.sh [--quick] [run.sh options]

Runs, one after the other:
  benchmarks/pgbench/run.sh        pgbench TPS: direct vs pgseal vs PgBouncer (~20 min with defaults)
  benchmarks/pgbench/idle-rss.sh   pgseal RSS with 1,000 idle sessions (~1 min)
  benchmarks/pgbench/stream-1m.sh  1M-row result through pgseal under -Xmx128m (~1 min)
then prints the pgbench table and one line per measurement. Any other option is passed to run.sh
(for example -T 15 -r 3). --quick means -T 5 -r 1 (a smoke run; its numbers are noise).
The full log goes to benchmarks/results/run-all-<time>.log. Exit 1 when a benchmark could not run;
missed targets do not change the exit code.
EOF
}

run_args=()
while (($#)); do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --quick) run_args+=(-T 5 -r 1); shift ;;
    *) run_args+=("$1"); shift ;;
  esac
done

mkdir -p "$here/results"
log_file="$here/results/run-all-$(date -u +%Y-%m-%dT%H%MZ).log"
failed=()
step() {
  local name=$1; shift
  echo "=== $name: $*" | tee -a "$log_file"
  if ! "$@" 2>&1 | tee -a "$log_file"; then failed+=("$name"); fi
}

step pgbench "$here/pgbench/run.sh" ${run_args[@]+"${run_args[@]}"}
step idle-rss "$here/pgbench/idle-rss.sh"
step stream-1m "$here/pgbench/stream-1m.sh"

echo
echo "================ summary ================"
# The pgbench table is the block run.sh prints after its blank line, up to "results:".
awk '/^=== pgbench/ { on = 1 } /^=== idle-rss/ { on = 0 } on && /^workload  / { t = 1 } t && /^$/ { t = 0 } t' "$log_file"
grep -h '^pgseal targets missed' "$log_file" || true
grep -h '^RESULT idle_rss' "$log_file" | sed 's/^RESULT /idle sessions: /' || true
grep -h 'rows streamed under' "$log_file" || true
grep -h '^RESULT streamed' "$log_file" | sed 's/^RESULT /stream: /' || true
echo "log: $log_file"
if ((${#failed[@]})); then
  echo "could not run: ${failed[*]}"
  exit 1
fi
