#!/usr/bin/env bash
# pgbench on encrypted columns through pgseal vs the same workload on plaintext columns, direct.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SCRIPTS_DIR="$BENCH_DIR/pgbench/encrypted"

usage() {
  cat <<EOF
Usage: benchmarks/pgbench/encrypted.sh [options]

Creates two scratch databases with the same table
  accounts(id bigint identity primary key, email text, ssn text, note text, balance int)
one plaintext (reached directly) and one whose email and ssn are deterministic and note randomized
under a policy (reached through pgseal, columns stored as bytea envelopes), loads the same rows into
both (the encrypted ones through pgseal), then runs three pgbench scripts (benchmarks/pgbench/encrypted/)
against both, alternating in every round:
  lookup   SELECT id, email, note, balance FROM accounts WHERE ssn = :ssn   (deterministic equality)
  insert   INSERT INTO accounts (email, note, balance) VALUES (:email, :note, :balance)
  update   UPDATE accounts SET note = :note WHERE id = :id
The lookup searches ssn (100000000 + id as text), not email (user<id>@example.com): pgbench
variables are numbers, and pgseal refuses an expression ('user' || :id || '@example.com') compared
with an encrypted column, so only a number can travel as the searched parameter.
The script prints median TPS per workload and mode, the ratio encrypted-through-pgseal / plaintext-direct
and the target (>= 0.80x). Then runs the lookup with one client against both and prints the latency
pgseal adds per statement. Measures only: exits 0 whether or not the target is met, 1 when the
benchmark could not run.

Options (defaults in brackets):
  -T, --duration SECONDS   length of each pgbench run [30]
  -r, --rounds N           rounds per workload and mode; each round runs every target once [3]
  -c, --clients N          pgbench clients of the throughput runs [8]
  -j, --threads N          pgbench threads of the throughput runs [2]
  -n, --rows N             rows loaded into each table [10000]
  -w, --warmup SECONDS     one unmeasured run of all three scripts per target first; 0 = none [10]
      --workloads LIST     comma-separated: lookup,insert,update [lookup,insert,update]
      --modes LIST         comma-separated: prepared,extended [prepared,extended]; not simple:
                           pgbench would splice the numbers unquoted (ssn = 100004711, text = int)
      --targets LIST       comma-separated: plain,encrypted,passthrough [plain,encrypted]
                           passthrough = the plaintext database through pgseal (not covered by the
                           policy: pgseal relays it untouched), to split proxy cost from crypto cost
      --no-latency         skip the -c 1 lookup runs
      --results DIR        where to write the Markdown and CSV [benchmarks/results]
  -h, --help               this text

Environment: PG_HOST/PG_PORT/PG_USER (PostgreSQL, default 127.0.0.1:5432 postgres, trust auth),
PGSEAL_JAR (the pgseal jar, default proxy-wire/target/pgseal.jar; the script runs a private copy),
PGSEAL_JAVA_OPTS (JVM options for pgseal), BENCH_KEEP_TMP=1 keeps the generated configs and logs.

Output: a table "workload mode plain TPS encrypted TPS encrypted/plain target verdict" (PASS when
encrypted/plain >= 0.80, else MISS), and per mode the lookup's average latency at -c 1 on each
target, and the difference: the latency pgseal adds per statement (median over rounds of the
difference within a round). Results go to DIR/encrypted-<time>.md (both tables), .csv (medians),
-latency.csv (the -c 1 lookup) and -runs.csv (every run's TPS and latency).
EOF
}

duration=30 rounds=3 clients=8 threads=2 rows=10000 warmup=10
workloads=lookup,insert,update modes=prepared,extended targets=plain,encrypted
latency=1 results_dir="$BENCH_DIR/results"
want=0.80

while (($#)); do
  case $1 in
    -T|--duration) duration=$2; shift 2 ;;
    -r|--rounds) rounds=$2; shift 2 ;;
    -c|--clients) clients=$2; shift 2 ;;
    -j|--threads) threads=$2; shift 2 ;;
    -n|--rows) rows=$2; shift 2 ;;
    -w|--warmup) warmup=$2; shift 2 ;;
    --workloads) workloads=$2; shift 2 ;;
    --modes) modes=$2; shift 2 ;;
    --targets) targets=$2; shift 2 ;;
    --no-latency) latency=0; shift ;;
    --results) results_dir=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1 (try --help)" >&2; exit 2 ;;
  esac
done

for n in "$duration" "$rounds" "$clients" "$threads" "$rows"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "not a positive integer: $n" >&2; exit 2; }
done
[[ $warmup =~ ^[0-9]+$ ]] || { echo "not a number of seconds: $warmup" >&2; exit 2; }
((rows <= 899999999)) || { echo "at most 899999999 rows (ssn = 100000000 + id has 9 digits)" >&2; exit 2; }
IFS=, read -r -a workload_list <<<"$workloads"
IFS=, read -r -a mode_list <<<"$modes"
IFS=, read -r -a target_list <<<"$targets"
for w in "${workload_list[@]}"; do [[ $w == lookup || $w == insert || $w == update ]] || { echo "unknown workload: $w" >&2; exit 2; }; done
for m in "${mode_list[@]}"; do [[ $m == prepared || $m == extended ]] || { echo "unknown mode: $m" >&2; exit 2; }; done
for t in "${target_list[@]}"; do [[ $t == plain || $t == encrypted || $t == passthrough ]] || { echo "unknown target: $t" >&2; exit 2; }; done
has_target() { [[ ",$targets," == *",$1,"* ]]; }
has_target plain && has_target encrypted || { echo "--targets must include plain and encrypted" >&2; exit 2; }

psql_direct() { psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$@"; }
psql_direct -d postgres -Atc 'select 1' >/dev/null || die "cannot reach PostgreSQL at $PG_HOST:$PG_PORT as $PG_USER"
jar=${PGSEAL_JAR:-$REPO_DIR/proxy-wire/target/pgseal.jar}
[[ -f $jar ]] || die "$jar is missing: build pgseal first (mvn -B -DskipTests package) or set PGSEAL_JAR"
if [[ -z ${PGSEAL_JAR:-} ]] && [[ -n $(find "$REPO_DIR" -path '*/src/main/*' -newer "$jar" -print -quit 2>/dev/null) ]]; then
  log "warning: sources are newer than $jar: you may be measuring an old build"
fi

# Unique names, so two runs (or a run and another engineer's database) never collide.
suffix="$(date -u +%H%M%S)_$$"
db_plain="bench_plain_$suffix" db_enc="bench_enc_$suffix" db_store="bench_store_$suffix"
CREATED_DBS=()

bench_init
cp "$jar" "$BENCH_TMP/pgseal.jar"   # a private copy: a rebuild during the run cannot break the JVM

# Stop pgseal first (it holds the store and bench_enc open), then drop the databases, then let
# lib.sh stop everything else and remove the temp folder.
encrypted_cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n ${PGSEAL_PID:-} ]] && kill -0 "$PGSEAL_PID" 2>/dev/null; then
    kill -TERM "$PGSEAL_PID" 2>/dev/null || true
    local waited=0
    while kill -0 "$PGSEAL_PID" 2>/dev/null && ((waited < 100)); do sleep 0.1; waited=$((waited + 1)); done
    kill -KILL "$PGSEAL_PID" 2>/dev/null || true
  fi
  local db
  for db in "${CREATED_DBS[@]}"; do
    psql_direct -d postgres -c "drop database if exists $db with (force)" >/dev/null 2>&1 \
      || log "warning: could not drop database $db"
  done
  set +e
  (exit "$rc")   # bench_cleanup takes its exit code from $?
  bench_cleanup
}
trap encrypted_cleanup EXIT

log "creating databases $db_plain, $db_enc and the key store's $db_store"
for db in "$db_plain" "$db_enc" "$db_store"; do
  psql_direct -d postgres -c "create database $db" >/dev/null
  CREATED_DBS+=("$db")
done

# Same logical table in both; the identity hands ids to the insert script.
table_sql="CREATE TABLE public.accounts (
  id      bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  email   text,
  ssn     text,
  note    text,
  balance int
);"
psql_direct -d "$db_plain" -c "$table_sql" >/dev/null
psql_direct -d "$db_enc" -c "$table_sql" >/dev/null

cat >"$BENCH_TMP/policy.yaml" <<EOF
# generated by benchmarks/pgbench/encrypted.sh
version: 1
databases: [$db_enc]
keys:
  - name: accounts
tables:
  - name: public.accounts
    primary_key: id
    columns:
      - name: email
        type: text
        encryption: deterministic
        key: accounts
        readers: "*"
      - name: ssn
        type: text
        encryption: deterministic
        key: accounts
        readers: "*"
      - name: note
        type: text
        encryption: randomized
        key: accounts
        readers: "*"
EOF

pgseal_java() { (cd "$REPO_DIR" && java -jar "$BENCH_TMP/pgseal.jar" "$@"); }

# The protected columns become bytea with pgseal's envelope CHECK constraints, as pgseal's own
# `policy ddl` derives them from the policy and the live catalog (exit 1 = statements printed).
enc_url="postgresql://$PG_USER@$PG_HOST:$PG_PORT/$db_enc"
rc=0
pgseal_java policy ddl "$BENCH_TMP/policy.yaml" --upstream "$enc_url" >"$BENCH_TMP/ddl.sql" 2>"$BENCH_TMP/ddl.err" || rc=$?
((rc <= 1)) && grep -qi 'alter table' "$BENCH_TMP/ddl.sql" \
  || { cat "$BENCH_TMP/ddl.err" "$BENCH_TMP/ddl.sql" >&2; die "pgseal policy ddl failed (exit $rc)"; }
psql_direct -d "$db_enc" -f "$BENCH_TMP/ddl.sql" >/dev/null
pgseal_java policy ddl "$BENCH_TMP/policy.yaml" --upstream "$enc_url" >"$BENCH_TMP/ddl-check.sql" 2>&1 \
  || { cat "$BENCH_TMP/ddl-check.sql" >&2; die "the catalog of $db_enc does not match the policy after the DDL"; }
# Indexes on the searched columns (on the envelopes in bench_enc), created alike in both.
for db in "$db_plain" "$db_enc"; do
  psql_direct -d "$db" -c "CREATE INDEX accounts_email_idx ON accounts (email); CREATE INDEX accounts_ssn_idx ON accounts (ssn);" >/dev/null
done

# pgseal with the policy, a software key store (passphrase in a file) and the key store database.
PGSEAL_PORT=$(free_port)
admin_port=$(free_port)
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$BENCH_TMP/keystore.pass"
chmod 600 "$BENCH_TMP/keystore.pass"
cat >"$BENCH_TMP/pgseal.yaml" <<EOF
# generated by benchmarks/pgbench/encrypted.sh
listen:   { host: 127.0.0.1, port: $PGSEAL_PORT }
upstream: { host: $PG_HOST, port: $PG_PORT, tls: disable }
admin:    { host: 127.0.0.1, port: $admin_port }
limits:   { max_client_connections: 2000 }
policy: policy.yaml
keystore:
  type: software                 # benchmarks only: master key in a PKCS#12 file
  file: keys.p12
  passphrase_file: keystore.pass
store:
  url: jdbc:postgresql://$PG_HOST:$PG_PORT/$db_store
  user: $PG_USER
EOF
PGSEAL_LOG="$BENCH_TMP/pgseal.log"
# shellcheck disable=SC2086 # options are split like the ./pgseal launcher splits them
(cd "$REPO_DIR" && exec java ${PGSEAL_JAVA_OPTS:-} -jar "$BENCH_TMP/pgseal.jar" serve --config "$BENCH_TMP/pgseal.yaml") \
  >"$PGSEAL_LOG" 2>&1 &
PGSEAL_PID=$!
BENCH_PIDS+=("$PGSEAL_PID")
wait_for_port "$PGSEAL_PORT" 120 "$PGSEAL_PID" pgseal "$PGSEAL_LOG"
log "pgseal listening on 127.0.0.1:$PGSEAL_PORT (pid $PGSEAL_PID, policy on $db_enc)"

declare -A port db
port[plain]=$PG_PORT db[plain]=$db_plain
port[encrypted]=$PGSEAL_PORT db[encrypted]=$db_enc
port[passthrough]=$PGSEAL_PORT db[passthrough]=$db_plain
psql_seal() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGSEAL_PORT" -U "$PG_USER" "$@"; }

# The same rows in both: email user<id>@example.com and ssn 100000000 + id (deterministic), a note
# (randomized) and a balance (plain), as multi-row INSERTs with literals: plainly into bench_plain,
# through pgseal (which encrypts every literal) into bench_enc. pgseal does not take COPY on a
# protected table yet.
log "loading $rows rows into each table (bench_enc through pgseal)"
awk -v n="$rows" -v batch=500 'BEGIN {
  for (i = 1; i <= n; i++) {
    if ((i - 1) % batch == 0) print "INSERT INTO accounts (id, email, ssn, note, balance) VALUES"
    printf "(%d, '\''user%d@example.com'\'', '\''%d'\'', '\''note %d'\'', %d)%s\n", \
      i, i, 100000000 + i, i, (i * 37) % 10000, (i % batch == 0 || i == n) ? ";" : ","
  }
}' >"$BENCH_TMP/load.sql"
psql_direct -d "$db_plain" -f "$BENCH_TMP/load.sql" >/dev/null
psql_seal -d "$db_enc" -f "$BENCH_TMP/load.sql" >/dev/null || die "loading $db_enc through pgseal failed (log: $PGSEAL_LOG)"
for db in "$db_plain" "$db_enc"; do
  psql_direct -d "$db" -c "SELECT setval(pg_get_serial_sequence('accounts', 'id'), $rows)" -c "VACUUM ANALYZE accounts" >/dev/null
done

# Proof that the benchmark measures what it claims: envelopes at rest, plaintext through pgseal.
at_rest=$(psql_direct -d "$db_enc" -Atc "SELECT count(*) FROM accounts WHERE get_byte(email, 0) = 2 AND get_byte(note, 1) = 1")
[[ $at_rest == "$rows" ]] || die "expected $rows envelopes at rest in $db_enc, found $at_rest"
probe=$((rows / 2 + 1))
want_row="$probe|user$probe@example.com|note $probe"
got_enc=$(psql_seal -d "$db_enc" -Atc "SELECT id, email, note FROM accounts WHERE ssn = '$((100000000 + probe))'")
got_plain=$(psql_direct -d "$db_plain" -Atc "SELECT id, email, note FROM accounts WHERE ssn = '$((100000000 + probe))'")
[[ $got_enc == "$want_row" && $got_plain == "$want_row" ]] \
  || die "lookup probe: expected '$want_row', got '$got_enc' through pgseal and '$got_plain' direct"
log "loaded: $rows envelopes at rest in $db_enc; the lookup probe decrypts through pgseal"

stamp=$(date -u +%Y-%m-%dT%H%MZ)
mkdir -p "$results_dir"
results_dir=$(cd "$results_dir" && pwd)
raw_csv="$results_dir/encrypted-$stamp-runs.csv"
echo "kind,workload,mode,round,target,clients,tps,latency_ms" >"$raw_csv"

# run_pgbench WORKLOAD MODE TARGET CLIENTS THREADS: prints "TPS LATENCY_MS" (TPS without initial
# connection time, average latency).
run_pgbench() {
  local workload=$1 mode=$2 target=$3 c=$4 j=$5 out="$BENCH_TMP/pgbench.out"
  if ! pgbench -n -h 127.0.0.1 -p "${port[$target]}" -U "$PG_USER" -c "$c" -j "$j" -T "$duration" -M "$mode" \
      -D rows="$rows" -f "$SCRIPTS_DIR/$workload.sql" "${db[$target]}" >"$out" 2>&1; then
    cat "$out" >&2; die "pgbench $workload -M $mode failed against $target (pgseal log: $PGSEAL_LOG)"
  fi
  local tps lat
  tps=$(awk '/^tps = / && /(without initial connection time|excluding connections establishing)/ { print $3 }' "$out")
  lat=$(awk '/^latency average = / { print $4 }' "$out")
  [[ -n $tps && -n $lat ]] || { cat "$out" >&2; die "no TPS or latency line in pgbench output"; }
  if grep -q '^number of failed transactions: [1-9]' "$out"; then log "warning: failed transactions against $target"; fi
  echo "$tps $lat"
}

ntargets=${#target_list[@]}
total=$(( ${#workload_list[@]} * ${#mode_list[@]} * rounds * ntargets ))
((latency)) && total=$(( total + ${#mode_list[@]} * rounds * 2 ))
log "$total pgbench runs of ${duration}s; about $(( total * (duration + 2) / 60 + 1 )) min"

if ((warmup)); then
  for t in "${target_list[@]}"; do
    pgbench -n -h 127.0.0.1 -p "${port[$t]}" -U "$PG_USER" -c "$clients" -j "$threads" -T "$warmup" -M prepared \
      -D rows="$rows" -f "$SCRIPTS_DIR/lookup.sql" -f "$SCRIPTS_DIR/insert.sql" -f "$SCRIPTS_DIR/update.sql" \
      "${db[$t]}" >"$BENCH_TMP/warmup.out" 2>&1 || { cat "$BENCH_TMP/warmup.out" >&2; die "warm-up against $t failed"; }
  done
  log "warmed up each target for ${warmup}s (all three scripts, not measured)"
fi

run=0
for workload in "${workload_list[@]}"; do
  for mode in "${mode_list[@]}"; do
    for ((round = 1; round <= rounds; round++)); do
      # Rotate the starting target each round so no target always runs first (or last).
      for ((k = 0; k < ntargets; k++)); do
        target=${target_list[$(( (k + round - 1) % ntargets ))]}
        run=$((run + 1))
        result=$(run_pgbench "$workload" "$mode" "$target" "$clients" "$threads")
        read -r tps lat <<<"$result"
        log "[$run/$total] $workload -M $mode round $round $target: $tps tps"
        echo "throughput,$workload,$mode,$round,$target,$clients,$tps,$lat" >>"$raw_csv"
      done
    done
  done
done

if ((latency)); then
  for mode in "${mode_list[@]}"; do
    for ((round = 1; round <= rounds; round++)); do
      pair=(plain encrypted); ((round % 2)) || pair=(encrypted plain)
      for target in "${pair[@]}"; do
        run=$((run + 1))
        result=$(run_pgbench lookup "$mode" "$target" 1 1)
        read -r tps lat <<<"$result"
        log "[$run/$total] lookup -c 1 -M $mode round $round $target: $lat ms"
        echo "latency,lookup,$mode,$round,$target,1,$tps,$lat" >>"$raw_csv"
      done
    done
  done
fi

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { [[ -n $1 && -n $2 ]] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' || echo "-"; }
fmt() { [[ -n $1 ]] && printf '%.0f' "$1" || echo "-"; }
# column VALUE of the runs matching kind, workload, mode and target
runs_of() { awk -F, -v k="$1" -v w="$2" -v m="$3" -v t="$4" -v col="$5" '$1 == k && $2 == w && $3 == m && $5 == t { print $col }' "$raw_csv"; }

summary_csv="$results_dir/encrypted-$stamp.csv"
markdown="$results_dir/encrypted-$stamp.md"
latency_csv="$results_dir/encrypted-$stamp-latency.csv"
echo "workload,mode,plain_tps,encrypted_tps,passthrough_tps,encrypted_vs_plain,passthrough_vs_plain,target,verdict" >"$summary_csv"
rows_out=() misses=0 measured=0
for workload in "${workload_list[@]}"; do
  for mode in "${mode_list[@]}"; do
    declare -A med=()
    for t in plain encrypted passthrough; do med[$t]=$(runs_of throughput "$workload" "$mode" "$t" 7 | median); done
    r_enc=$(ratio "${med[encrypted]}" "${med[plain]}")
    r_pass=$(ratio "${med[passthrough]}" "${med[plain]}")
    if awk -v e="${med[encrypted]}" -v p="${med[plain]}" -v w="$want" 'BEGIN { exit !(e / p >= w) }'; then verdict=PASS
    else verdict=MISS; misses=$((misses + 1)); fi
    measured=$((measured + 1))
    echo "$workload,$mode,${med[plain]},${med[encrypted]},${med[passthrough]},$r_enc,$r_pass,$want,$verdict" >>"$summary_csv"
    row="$workload|$mode|$(fmt "${med[plain]}")|$(fmt "${med[encrypted]}")|$r_enc"
    has_target passthrough && row+="|$(fmt "${med[passthrough]}")|$r_pass"
    rows_out+=("$row|>= $want|$verdict")
    unset med
  done
done
header="workload|mode|plain TPS|encrypted TPS|encrypted/plain"
has_target passthrough && header+="|passthrough TPS|passthrough/plain"
header+="|target|verdict"

lat_rows=()
if ((latency)); then
  echo "mode,plain_latency_ms,encrypted_latency_ms,added_ms_per_statement" >"$latency_csv"
  for mode in "${mode_list[@]}"; do
    lp=$(runs_of latency lookup "$mode" plain 8 | median)
    le=$(runs_of latency lookup "$mode" encrypted 8 | median)
    # The difference within each round (the two ran back to back), median over rounds.
    added=$(awk -F, -v m="$mode" '$1 == "latency" && $3 == m { l[$4, $5] = $8; r[$4] = 1 }
      END { for (i in r) print l[i, "encrypted"] - l[i, "plain"] }' "$raw_csv" | median)
    echo "$mode,$lp,$le,$added" >>"$latency_csv"
    lat_rows+=("lookup -c 1|$mode|$lp|$le|$(awk -v a="$added" 'BEGIN { printf "%+.0f", a * 1000 }')")
  done
fi
lat_header="workload|mode|plain latency ms|encrypted latency ms|added per statement µs"

conditions="pgbench -c $clients -j $threads -T $duration, $rows rows, $rounds rounds, median TPS (without initial connection time); $(nproc) cores; PostgreSQL $(psql_direct -d postgres -Atc 'show server_version')"
about="plain = plaintext columns, PostgreSQL direct; encrypted = email, ssn deterministic and note randomized, through pgseal"
has_target passthrough && about+="; passthrough = plaintext columns through pgseal (database not covered by the policy)"
{
  echo "# pgbench on encrypted columns: pgseal vs plaintext direct ($stamp)"
  echo
  echo "$conditions. $about."
  echo
  echo "| ${header//|/ | } |"
  sep="|---|---|---:|---:|---:|"; has_target passthrough && sep+="---:|---:|"
  echo "$sep---|---|"
  for r in "${rows_out[@]}"; do echo "| ${r//|/ | } |"; done
  if ((latency)); then
    echo
    echo "Lookup at -c 1 -j 1, average latency (median of $rounds rounds); added = encrypted − plain within a round, median:"
    echo
    echo "| ${lat_header//|/ | } |"
    echo "|---|---|---:|---:|---:|"
    for r in "${lat_rows[@]}"; do echo "| ${r//|/ | } |"; done
  fi
  echo
  echo "Per-run TPS and latency: \`$(basename "$raw_csv")\`."
} >"$markdown"

echo
echo "$conditions"
echo "$about"
echo
{ echo "$header"; printf '%s\n' "${rows_out[@]}"; } | column -t -s '|'
if ((latency)); then
  echo
  { echo "$lat_header"; printf '%s\n' "${lat_rows[@]}"; } | column -t -s '|'
fi
echo
echo "results: $markdown"
echo "         $summary_csv"
((latency)) && echo "         $latency_csv"
echo "         $raw_csv"
echo "encrypted/plain targets missed: $misses of $measured"
exit 0
