#!/usr/bin/env bash
# Beacon end-to-end benchmark suite (issue 6).  One command, from the repository root:
#
#     benches/e2e.sh
#
# It installs what it needs from Debian when missing (postfix for smtp-sink/smtp-source, wrk,
# time, sqlite3, postgresql-client, nginx-light, curl), builds release, creates the data with
# `beacon demo`, runs the five scenarios and writes benches/RESULTS.md.  Every target is a
# ratio (or figure) measured in the same run; every figure is the median of BENCH_RUNS runs.
#
# Knobs (environment):
#   BENCH_RUNS=3                 runs per figure (median reported; at least 3 for the record)
#   BENCH_SUBSCRIBERS=100000     fan-out size for scenarios 1, 2 and 5
#   BENCH_MILLION=1000000        size of the large memory run (0 skips it)
#   BENCH_MILLION_RUNS=$BENCH_RUNS
#   BENCH_MILLION_ENGINES="sqlite postgres"  engines for the large memory run
#   BENCH_MILLION_MONTHS=0       months of demo history for the large memory run (memory is about
#                                residents; a year of history for 1M would take ~18 min on SQLite
#                                and ~38 min on PostgreSQL to make)
#   BENCH_POOL=4                 Beacon's SMTP pool size = smtp-source sessions
#   BENCH_FEED_ENTRIES=500       feed entries published before scenario 3
#   BENCH_WRK_SECS=10            wrk duration (scenarios 3 and 4)
#   BENCH_SCENARIOS="1 2 3 4 5 6" which scenarios to run (2 needs 1's runs for its 100k figure; 6 = urgent latency)
#   BENCH_URGENT_ENGINES="sqlite postgres"  engines for scenario 6
#   BENCH_PG=postgres://postgres@127.0.0.1:5432   PostgreSQL server (trust auth, may createdb)
#   BENCH_PROFILE=1              perf profile of one fan-out (needs perf; skipped if unavailable)
#   BENCH_WHATIF=0               1 = also one fan-out per engine with TCP_NODELAY forced by an LD_PRELOAD
#                                shim (benches/nodelay_shim.c): informational, explains the profile
#   BENCH_OUT=benches/RESULTS.md
#   CARGO_TARGET_DIR             honoured (default: ./target)
#   BENCH_BEFORE=1               also one fan-out per run with SMTP pipelining off (`smtp://…?pipelining=off`):
#                                the same binary as before issue 17's pipelining, measured in the same run
#   BENCH_WINDOW=64              also one fan-out per run with `delivery.max_unrecorded` at this value (0 skips):
#                                what the promise "a crash repeats at most the pool size" costs in speed
#   BENCH_QUICK=1                smoke test: 3 runs of 5,000 / 20,000 subscribers, 3 s wrk
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
cd "$ROOT"

if [[ ${BENCH_QUICK:-0} == 1 ]]; then
  : "${BENCH_SUBSCRIBERS:=5000}" "${BENCH_MILLION:=20000}" "${BENCH_WRK_SECS:=3}" "${BENCH_FEED_ENTRIES:=60}"
fi
RUNS=${BENCH_RUNS:-3}
SUBS=${BENCH_SUBSCRIBERS:-100000}
MILLION=${BENCH_MILLION:-1000000}
MILLION_RUNS=${BENCH_MILLION_RUNS:-$RUNS}
MILLION_ENGINES=${BENCH_MILLION_ENGINES:-sqlite postgres}
MILLION_MONTHS=${BENCH_MILLION_MONTHS:-0}
POOL=${BENCH_POOL:-4}
FEED_ENTRIES=${BENCH_FEED_ENTRIES:-500}
WRK_SECS=${BENCH_WRK_SECS:-10}
SCENARIOS=" ${BENCH_SCENARIOS:-1 2 3 4 5 6} "
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
PROFILE=${BENCH_PROFILE:-1}
WHATIF=${BENCH_WHATIF:-0}
BEFORE=${BENCH_BEFORE:-1}
WINDOW=${BENCH_WINDOW:-64}
OUT=${BENCH_OUT:-$HERE/RESULTS.md}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
CAMPAIGN=${BENCH_CAMPAIGN:-winter-burglary}
PATH=$PATH:/usr/sbin:/sbin

WORK=$(mktemp -d /tmp/beacon-bench.XXXXXX)
chmod 755 "$WORK"
LOG=$WORK/log
mkdir -p "$LOG"
declare -a PIDS=()
declare -a PGDBS=()

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }

cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  for p in "${PGDBS[@]}"; do dropdb_q "$p"; done
  rm -rf "/dev/shm/beacon-urgent-$$" "/dev/shm/beacon-dump-$$" "/dev/shm/beacon-dump-$$.all"
  if [[ ${BENCH_KEEP:-0} != 1 ]]; then rm -rf "$WORK"; else log "kept $WORK"; fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- dependencies
install_missing() {
  local need=()
  [[ -x /usr/sbin/smtp-sink && -x /usr/sbin/smtp-source ]] || need+=(postfix)
  command -v wrk >/dev/null || need+=(wrk)
  [[ -x /usr/bin/time ]] || need+=(time)
  command -v sqlite3 >/dev/null || need+=(sqlite3)
  command -v psql >/dev/null && command -v createdb >/dev/null || need+=(postgresql-client)
  [[ -x /usr/sbin/nginx ]] || need+=(nginx-light)
  command -v curl >/dev/null || need+=(curl)
  if [[ $WHATIF == 1 ]] && ! command -v cc >/dev/null; then need+=(gcc libc6-dev); fi
  if [[ $PROFILE == 1 ]] && ! command -v perf >/dev/null; then need+=(linux-perf); fi
  ((${#need[@]})) || return 0
  log "installing from Debian: ${need[*]}"
  local sudo=()
  [[ $(id -u) == 0 ]] || sudo=(sudo)
  # A local-only postfix: we want its test tools, not a mail server.
  echo "postfix postfix/main_mailer_type select No configuration" | "${sudo[@]}" debconf-set-selections 2>/dev/null || true
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null \
    || { [[ " ${need[*]} " == *" linux-perf "* ]] && PROFILE=0 && need=("${need[@]/linux-perf}") &&
         "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${need[*]} >/dev/null; }
}

# ---------------------------------------------------------------- helpers
median() { (($#)) || { echo n/a; return; }; printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END { if (NR == 0) print "n/a"; else if (NR % 2) print a[(NR+1)/2]; else printf "%.6g\n", (a[NR/2]+a[NR/2+1])/2 }'; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
now() { date +%s.%N; }
ge() { awk "BEGIN { exit !($1 >= $2) }"; }
verdict() { if ge "$1" "$2"; then echo PASS; else echo FAIL; fi; }   # value >= target
verdict_le() { if ge "$2" "$1"; then echo PASS; else echo FAIL; fi; } # value <= target

free_port() {
  local p=$1
  while ss -Hltn "sport = :$p" | grep -q .; do p=$((p + 1)); done
  echo "$p"
}
wait_port() {
  local i
  for i in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  die "nothing listening on port $1"
}
stop_pid() { # stop one process we started, by id
  local p=$1 i
  kill -TERM "$p" 2>/dev/null || true
  for i in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  local keep=()
  for i in "${PIDS[@]}"; do [[ $i == "$p" ]] || keep+=("$i"); done
  PIDS=("${keep[@]}")
}

BEACON=$CARGO_TARGET_DIR/release/beacon
common_env() {
  export BEACON_MAIL__POOL_SIZE=$POOL
  export BEACON_DIGEST__SCHEDULE=""
  # Benchmarks run at any hour and send a seasonal campaign on purpose: no quiet hours.
  export BEACON_DELIVERY__QUIET_HOURS=""
  export BEACON_SIGNUP__PER_IP_PER_HOUR=0
  export RUST_LOG=${RUST_LOG:-warn}
}
beacon() { # beacon DBURL args...
  local db=$1; shift
  BEACON_DATABASE__URL=$db "$BEACON" --campaigns "$ROOT/campaigns" "$@"
}

pg_url() { echo "$PG/$1"; }
psql_q() { psql -X -q -t -A -d "$(pg_url "$1")" -c "$2"; }
dropdb_q() { psql -X -q -d "$PG/postgres" -c "drop database if exists \"$1\" with (force)" >/dev/null 2>&1 || true; }
createdb_q() { # name [template]
  dropdb_q "$1"
  if [[ -n ${2:-} ]]; then
    psql -X -q -d "$PG/postgres" -c "create database \"$1\" template \"$2\"" >/dev/null
  else
    psql -X -q -d "$PG/postgres" -c "create database \"$1\"" >/dev/null
  fi
  PGDBS+=("$1")
}
sql_count() { # engine db sql
  if [[ $1 == sqlite ]]; then sqlite3 "$2" "$3"; else psql_q "$2" "$3"; fi
}

# A database with N demo residents, made once per (engine, N) and copied for each run.
declare -A TEMPLATE=()
make_template() { # engine n
  local e=$1 n=$2 key="$1-$2" t0 t1 months=()
  [[ -n ${TEMPLATE[$key]:-} ]] && return 0
  [[ $n == "$MILLION" && $n != "$SUBS" ]] && months=(--months "$MILLION_MONTHS")
  t0=$(now)
  if [[ $e == sqlite ]]; then
    local f=$WORK/tpl-$n.db
    beacon "sqlite://$f" migrate >"$LOG/tpl-$key.out" 2>&1
    beacon "sqlite://$f" demo --subscribers "$n" "${months[@]}" >>"$LOG/tpl-$key.out" 2>&1
    sqlite3 "$f" "pragma wal_checkpoint(truncate);" >/dev/null
    TEMPLATE[$key]=$f
  else
    local d=bench_tpl_$n
    createdb_q "$d"
    beacon "$(pg_url "$d")" migrate >"$LOG/tpl-$key.out" 2>&1
    beacon "$(pg_url "$d")" demo --subscribers "$n" "${months[@]}" >>"$LOG/tpl-$key.out" 2>&1
    psql_q "$d" "vacuum analyze" >/dev/null
    TEMPLATE[$key]=$d
  fi
  t1=$(now)
  DEMO_SECS[$key]=$(calc "$t1 - $t0" 1)
  log "template $key ready in ${DEMO_SECS[$key]} s"
}
declare -A DEMO_SECS=()
drop_template() { # engine n: frees a template's disk once no scenario needs it
  local key="$1-$2"
  [[ -n ${TEMPLATE[$key]:-} ]] || return 0
  if [[ $1 == sqlite ]]; then rm -f "${TEMPLATE[$key]}"*; else dropdb_q "${TEMPLATE[$key]}"; fi
  unset "TEMPLATE[$key]"
}
fresh_db() { # engine n name -> prints URL; sets FRESH_REF (file or db name)
  local e=$1 n=$2 name=$3
  make_template "$e" "$n"
  if [[ $e == sqlite ]]; then
    rm -f "$WORK/$name.db"*
    cp "${TEMPLATE[$e-$n]}" "$WORK/$name.db"
    FRESH_REF=$WORK/$name.db
    FRESH_URL="sqlite://$WORK/$name.db"
  else
    createdb_q "$name" "${TEMPLATE[$e-$n]}"
    FRESH_REF=$name
    FRESH_URL=$(pg_url "$name")
  fi
}
drop_fresh() { # engine ref
  if [[ $1 == sqlite ]]; then rm -f "$2"*; else dropdb_q "$2"; fi
}

SINK_PID=
start_sink() { # port [extra smtp-sink options...]; counter output goes to $LOG/sink.out
  local port=$1; shift
  local user=()
  [[ $(id -u) == 0 ]] && user=(-u nobody)
  smtp-sink "${user[@]}" -c "$@" "127.0.0.1:$port" 1024 >"$LOG/sink.out" 2>&1 &
  SINK_PID=$!
  PIDS+=("$SINK_PID")
  wait_port "$port"
}
stop_sink() { [[ -n $SINK_PID ]] && stop_pid "$SINK_PID"; SINK_PID=; }

time_field() { # file label -> value
  awk -F': ' -v k="$2" '$1 ~ k { print $2 }' "$1" | tail -1 | tr -d ' '
}

# CPU accounting from /proc (clock ticks): the whole machine, and named processes.
machine_ticks() { # -> "busy total" over all cores since boot (idle and iowait are not busy)
  awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat
}
proc_ticks() { # pid... -> user + system ticks of those still alive
  local p t=0 v
  for p in "$@"; do
    v=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null) && t=$((t + v))
  done
  echo "$t"
}
pg_ticks() { # every PostgreSQL process, plus what the postmaster's reaped backends used
  local pm t
  pm=$(pgrep -x -o postgres || true)
  t=$(proc_ticks $(pgrep -x postgres || true))
  [[ -n $pm ]] && t=$((t + $(awk '{ print $16 + $17 }' "/proc/$pm/stat" 2>/dev/null || echo 0)))
  echo "$t"
}
busy_share() { # "busy total" before, after -> busy share of all cores, in per cent
  awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); d = y[2] - x[2]; v = 0; if (d > 0) v = 100 * (y[1] - x[1]) / d; printf "%.0f", v }'
}

# ---------------------------------------------------------------- machine
machine() {
  CORES=$(nproc)
  MEM_GB=$(awk '/MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
  CPU=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
  COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  DIRTY=$(git -C "$ROOT" status --porcelain -- src Cargo.toml Cargo.lock migrations templates 2>/dev/null | grep -q . && echo " (+ uncommitted changes in src)" || true)
  KERNEL=$(uname -r)
  PGVER=$(psql -X -t -A -d "$PG/postgres" -c "show server_version" 2>/dev/null || echo "?")
  SQLITEVER=$(sqlite3 --version | cut -d' ' -f1)
}

# ---------------------------------------------------------------- message size
# One real Beacon message (file transport), so smtp-source sends the same bytes.
calibrate_message() {
  local db=$WORK/calib.db
  beacon "sqlite://$db" migrate >"$LOG/calib.out" 2>&1
  beacon "sqlite://$db" demo --subscribers 200 >>"$LOG/calib.out" 2>&1
  mkdir -p "$WORK/eml"
  BEACON_MAIL__TRANSPORT="file:$WORK/eml" beacon "sqlite://$db" send "$CAMPAIGN" --force >>"$LOG/calib.out" 2>&1
  local files=("$WORK"/eml/*.eml)
  MSG_FILE=${files[0]}
  [[ -f $MSG_FILE ]] || die "calibration produced no message"
  MSG_BYTES=$(cat "${files[@]}" | wc -c)
  MSG_BYTES=$((MSG_BYTES / ${#files[@]}))
  # smtp-source -F reads LF lines and appends CRLF itself
  tr -d '\r' <"$MSG_FILE" >"$WORK/message.txt"
  for c in winter-burglary realities-of-local-crime; do
    AUDIENCE[$c]=0
  done
  log "message size ${MSG_BYTES} bytes"
}
declare -A AUDIENCE=()
audience() { # engine-n campaign: messages one send produces (email recipients)
  local url=$1 c=$2
  beacon "$url" send "$c" --dry-run 2>/dev/null | awk '$1 == "email" && $3 ~ /^[0-9]+$/ { s += $3 } END { print s + 0 }'
}

# ---------------------------------------------------------------- scenario 1 (+ 2's RSS)
declare -A S1=()   # key "engine:metric" -> space-separated per-run values
push() { S1[$1]="${S1[$1]:-} $2"; }

fanout_once() { # engine n tag [LD_PRELOAD] [smtp URL query] -> pushes figures under "$tag:*"
  local e=$1 n=$2 tag=$3 preload=${4:-} query=${5:-} port t0 t1
  fresh_db "$e" "$n" "run_$$"
  local ref=$FRESH_REF url=$FRESH_URL
  port=$(free_port 25250)
  start_sink "$port"
  local m0 m1
  m0=$(machine_ticks)
  t0=$(now)
  BEACON_DATABASE__URL=$url BEACON_MAIL__TRANSPORT="smtp://127.0.0.1:$port$query" LD_PRELOAD=$preload \
    BEACON_DELIVERY__MAX_UNRECORDED=${UNRECORDED:-0} /usr/bin/time -v -o "$LOG/time-$tag.txt" \
    "$BEACON" --campaigns "$ROOT/campaigns" send "$CAMPAIGN" --force \
    >"$LOG/send-$tag.out" 2>"$LOG/send-$tag.err" < /dev/null \
    || { cat "$LOG/send-$tag.err" >&2; die "beacon send failed ($tag)"; }
  t1=$(now)
  m1=$(machine_ticks)
  local wall delivered user sys rss left
  wall=$(calc "$t1 - $t0" 3)
  delivered=$(grep -o 'delivered [0-9]*' "$LOG/send-$tag.out" | awk '{print $2}')
  user=$(time_field "$LOG/time-$tag.txt" "User time")
  sys=$(time_field "$LOG/time-$tag.txt" "System time")
  rss=$(time_field "$LOG/time-$tag.txt" "Maximum resident set size")
  left=$(sql_count "$e" "$ref" "select count(*) from outbox where channel = 'email' and status in ('pending','sending')")
  stop_sink
  local sink_count
  sink_count=$(tr '\r' '\n' <"$LOG/sink.out" | grep -o 'mesg=[0-9]*' | tail -1 | cut -d= -f2 || true)
  [[ $delivered == "$n" ]] || log "WARNING: $tag delivered $delivered of $n"
  [[ $left == 0 ]] || log "WARNING: $tag left $left messages in the outbox"
  push "$tag:mps" "$(calc "$delivered / $wall" 1)"
  push "$tag:wall" "$wall"
  push "$tag:cpu1k" "$(calc "($user + $sys) / $delivered * 1000" 3)"
  push "$tag:rss" "$(calc "$rss / 1024" 1)"
  push "$tag:sink" "${sink_count:-?}"
  push "$tag:delivered" "$delivered"
  push "$tag:busy" "$(busy_share "$m0" "$m1")"
  log "$tag: $delivered msgs in ${wall}s ($(calc "$delivered / $wall" 0)/s), cpu ${user}+${sys}s, rss $(calc "$rss / 1024" 1) MB, sink ${sink_count:-?}, machine busy $(busy_share "$m0" "$m1") %"
  drop_fresh "$e" "$ref"
}

source_once() { # n tag
  local n=$1 tag=$2 port t0 t1 wall
  port=$(free_port 25250)
  start_sink "$port"
  local m0 m1
  m0=$(machine_ticks)
  t0=$(now)
  smtp-source -d -s "$POOL" -m "$n" -F "$WORK/message.txt" \
    -f alerts@beacon.invalid -t resident@example.invalid "127.0.0.1:$port" \
    >"$LOG/source-$tag.out" 2>&1
  t1=$(now)
  m1=$(machine_ticks)
  wall=$(calc "$t1 - $t0" 3)
  stop_sink
  push "$tag:mps" "$(calc "$n / $wall" 1)"
  push "$tag:busy" "$(busy_share "$m0" "$m1")"
  push "$tag:wall" "$wall"
  log "$tag: $n msgs in ${wall}s ($(calc "$n / $wall" 0)/s)"
}

scenario1() {
  local e r
  for e in sqlite postgres; do
    make_template "$e" "$SUBS"
    for r in $(seq 1 "$RUNS"); do
      source_once "$SUBS" "src-$e"
      fanout_once "$e" "$SUBS" "fan-$e"
      [[ $BEFORE != 1 ]] || fanout_once "$e" "$SUBS" "off-$e" "" "?pipelining=off"
      [[ $WINDOW == 0 ]] || UNRECORDED=$WINDOW fanout_once "$e" "$SUBS" "win-$e"
    done
    if [[ -n ${SHIM:-} ]]; then
      fanout_once "$e" "$SUBS" "nd-$e" "$SHIM"
    fi
  done
}

scenario2() {
  local e r
  [[ $MILLION != 0 ]] || return 0
  for e in $MILLION_ENGINES; do
    make_template "$e" "$MILLION"
    for r in $(seq 1 "$MILLION_RUNS"); do
      fanout_once "$e" "$MILLION" "big-$e"
    done
    drop_template "$e" "$MILLION"
    write_results # per engine: the longest scenario keeps what it measured if stopped
  done
}

# ---------------------------------------------------------------- scenario 3: feeds
declare -A S3=()
wrk_rps() { awk '/Requests\/sec/ { print $2 }' "$1"; }
wrk_bad() { awk '/Non-2xx or 3xx/ { print $5 } END { }' "$1" | tail -1; }
wrk_errors() { grep -E 'Socket errors' "$1" || true; }

scenario3() {
  local db=$WORK/feeds.db url port i t0 etag ng
  url="sqlite://$db"
  beacon "$url" migrate >"$LOG/feeds.out" 2>&1
  beacon "$url" demo --subscribers 10 >>"$LOG/feeds.out" 2>&1
  t0=$(now)
  for i in $(seq 1 "$FEED_ENTRIES"); do
    BEACON_MAIL__TRANSPORT="file:$WORK/feed-mail" beacon "$url" send "$CAMPAIGN" --force --no-wait >>"$LOG/feeds.out" 2>&1 \
      || die "publishing feed entry $i failed (see $LOG/feeds.out)"
  done
  FEED_COUNT=$(sqlite3 "$db" "select count(*) from feed_entry where area_slug = 'all'")
  log "published $FEED_COUNT feed entries in $(calc "$(now) - $t0" 1) s"
  port=$(free_port 18480)
  BEACON_DATABASE__URL=$url BEACON_SERVER__LISTEN=127.0.0.1:$port BEACON_SERVER__BASE_URL=http://127.0.0.1:$port \
    BEACON_MAIL__TRANSPORT="file:$WORK/feed-mail" \
    "$BEACON" --campaigns "$ROOT/campaigns" serve --no-scheduler --no-worker \
    >"$LOG/serve-feeds.out" 2>&1 < /dev/null &
  local spid=$!
  PIDS+=("$spid")
  wait_port "$port"
  local feed=http://127.0.0.1:$port/feeds/all/atom.xml
  mkdir -p "$WORK/static/feeds/all"
  curl -sf -D "$WORK/feed.headers" -o "$WORK/static/feeds/all/atom.xml" "$feed" || die "feed fetch failed"
  chmod -R a+rX "$WORK/static"
  FEED_BYTES=$(wc -c <"$WORK/static/feeds/all/atom.xml")
  etag=$(awk -F': ' 'tolower($1) == "etag" { print $2 }' "$WORK/feed.headers" | tr -d '\r')
  [[ -n $etag ]] || die "feed has no ETag"
  [[ $(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$feed") == 304 ]] || die "If-None-Match did not give 304"

  # The ceiling: nginx serving the same bytes (same machine, same wrk, same run).
  ng=$(free_port 18580)
  mkdir -p "$WORK/nginx/logs"
  cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes $(nproc);
error_log $WORK/nginx/logs/error.log warn;
pid $WORK/nginx/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/atom+xml;
  keepalive_requests 1000000;
  etag on;
  server {
    listen 127.0.0.1:$ng;
    root $WORK/static;
  }
}
EOF
  nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' >"$LOG/nginx.out" 2>&1 &
  local npid=$!
  PIDS+=("$npid")
  wait_port "$ng"
  local static=http://127.0.0.1:$ng/feeds/all/atom.xml setag
  setag=$(curl -sfI "$static" | awk -F': ' 'tolower($1) == "etag" { print $2 }' | tr -d '\r')
  cmp -s <(curl -sf "$static") "$WORK/static/feeds/all/atom.xml" || die "static copy differs"

  local r f
  for r in $(seq 1 "$RUNS"); do
    for f in beacon-200 static-200 beacon-304 static-304; do
      local u h=()
      case $f in
        beacon-200) u=$feed ;;
        static-200) u=$static ;;
        beacon-304) u=$feed; h=(-H "If-None-Match: $etag") ;;
        static-304) u=$static; h=(-H "If-None-Match: $setag") ;;
      esac
      wrk -t2 -c64 -d"${WRK_SECS}s" --latency "${h[@]}" "$u" >"$LOG/wrk-$f-$r.txt" 2>&1
      local rps bad
      rps=$(wrk_rps "$LOG/wrk-$f-$r.txt")
      bad=$(wrk_bad "$LOG/wrk-$f-$r.txt")
      S3[$f]="${S3[$f]:-} $rps"
      [[ -z $bad ]] || { S3[$f-bad]="${S3[$f-bad]:-} $bad"; log "WARNING: $f non-2xx/3xx: $bad"; }
      log "feeds $f run $r: $rps req/s"
    done
  done
  stop_pid "$npid"
  stop_pid "$spid"
}

# ---------------------------------------------------------------- scenario 4: sign-up
declare -A S4=()
scenario4() {
  cat >"$WORK/signup.lua" <<'EOF'
-- Each request is a new resident: distinct address per thread and request.
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
function init(args)
  prefix = os.getenv("BENCH_PREFIX") or "b"
  n = 0
  ok = 0
  other = 0
end
function request()
  n = n + 1
  local body = "email=" .. prefix .. "-" .. tid .. "-" .. n ..
    "%40example.org&postcode=HP5+9AA&topics=fear-of-crime&frequency=immediate&consent=yes"
  return wrk.format("POST", "/subscribe",
    { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end
function response(status, headers, body)
  -- 200 with the check-your-email page (a 303 before issue 15).
  if status == 200 and string.find(body, "Check your email", 1, true) then ok = ok + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local o, x = 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok")
    x = x + t:get("other")
  end
  io.write(string.format("ACCEPTED %d\nREFUSED %d\n", o, x))
end
EOF
  local e r
  for e in sqlite postgres; do
    for r in $(seq 1 "$RUNS"); do
      local url ref port name=signup_$$_$r
      if [[ $e == sqlite ]]; then
        ref=$WORK/$name.db; url="sqlite://$ref"
      else
        createdb_q "$name"; ref=$name; url=$(pg_url "$name")
      fi
      beacon "$url" migrate >"$LOG/signup-$e-$r.out" 2>&1
      port=$(free_port 18680)
      BEACON_DATABASE__URL=$url BEACON_SERVER__LISTEN=127.0.0.1:$port \
        BEACON_SERVER__BASE_URL=http://127.0.0.1:$port BEACON_MAIL__TRANSPORT="file:$WORK/signup-mail" \
        "$BEACON" --campaigns "$ROOT/campaigns" serve --no-scheduler --no-worker \
        >>"$LOG/signup-$e-$r.out" 2>&1 < /dev/null &
      local spid=$!
      PIDS+=("$spid")
      wait_port "$port"
      BENCH_PREFIX="s$r$e" wrk -t2 -c64 -d"${WRK_SECS}s" --latency -s "$WORK/signup.lua" \
        "http://127.0.0.1:$port" >"$LOG/wrk-signup-$e-$r.txt" 2>&1
      stop_pid "$spid"
      local acc pend conf rps
      acc=$(awk '/^ACCEPTED/ { print $2 }' "$LOG/wrk-signup-$e-$r.txt")
      pend=$(sql_count "$e" "$ref" "select count(*) from subscriber where status = 'pending'")
      conf=$(sql_count "$e" "$ref" "select count(*) from outbox where kind = 'confirm'")
      rps=$(calc "$pend / $WRK_SECS" 1)
      S4[$e:rps]="${S4[$e:rps]:-} $rps"
      S4[$e:acc]="${S4[$e:acc]:-} $acc"
      S4[$e:pend]="${S4[$e:pend]:-} $pend"
      S4[$e:conf]="${S4[$e:conf]:-} $conf"
      S4[$e:refused]="${S4[$e:refused]:-} $(awk '/^REFUSED/ { print $2 }' "$LOG/wrk-signup-$e-$r.txt")"
      # wrk stops counting at the deadline while up to 64 requests are still in flight, so the
      # database may hold a few more than the 200s wrk saw; never fewer.
      if [[ $pend == "$conf" ]] && ((pend >= acc && pend - acc <= 64)); then S4[$e:consistent]="${S4[$e:consistent]:-} yes"
      else S4[$e:consistent]="${S4[$e:consistent]:-} no"; log "WARNING: sign-up $e run $r: 200s $acc, pending $pend, confirmations $conf"; fi
      log "signup $e run $r: $acc accepted (200), $pend pending, $conf confirmations -> $rps/s"
      drop_fresh "$e" "$ref"
    done
  done
}

# ---------------------------------------------------------------- scenario 5: scale-out
declare -A S5=()
scenario5() {
  local r last=$RUNS
  make_template postgres "$SUBS"
  # One more run under a system-wide perf, not counted in the figures (perf costs CPU too): what
  # bounds two processes, by process and symbol.
  [[ $PROFILE == 1 ]] && command -v perf >/dev/null && last=$((RUNS + 1))
  for r in $(seq 1 "$last"); do
    local profiled=0
    ((r > RUNS)) && profiled=1
    fresh_db postgres "$SUBS" "scale_$$"
    # The dump goes to tmpfs when it can, as scenario 6's files do (see there).
    local shm=/dev/shm
    [[ -d $shm && -w $shm ]] || shm=$WORK
    local ref=$FRESH_REF url=$FRESH_URL port dumpdir=$shm/beacon-dump-$$ dump=$shm/beacon-dump-$$.all
    rm -rf "$dumpdir" "$dump"
    mkdir -p "$dumpdir"
    [[ $(id -u) != 0 ]] || chown nobody "$dumpdir"
    port=$(free_port 25250)
    # -D appends every transaction (with its X-Rcpt-Args envelope line) to a dump file.
    start_sink "$port" -D "$dumpdir/sink"
    local p1 p2 w1 w2 pid1 pid2
    w1=$(free_port 18780); w2=$(free_port $((w1 + 1)))
    for p in "$w1" "$w2"; do
      BEACON_DATABASE__URL=$url BEACON_SERVER__LISTEN=127.0.0.1:$p BEACON_SERVER__BASE_URL=http://127.0.0.1:$p \
        BEACON_MAIL__TRANSPORT="smtp://127.0.0.1:$port" \
        "$BEACON" --campaigns "$ROOT/campaigns" serve --no-scheduler \
        >"$LOG/scale-$r-$p.out" 2>&1 < /dev/null &
      PIDS+=("$!")
      [[ $p == "$w1" ]] && pid1=$! || pid2=$!
    done
    wait_port "$w1"; wait_port "$w2"
    local t0 t1 left i m0 m1 b0 b1 k0 k1 g0 g1 perfpid=
    if ((profiled)); then
      perf record -a -F 499 -o "$WORK/perf-scale.data" >"$LOG/perf-scale.out" 2>&1 &
      perfpid=$!
      sleep 1
    fi
    m0=$(machine_ticks); b0=$(proc_ticks "$pid1" "$pid2"); k0=$(proc_ticks "$SINK_PID"); g0=$(pg_ticks)
    t0=$(now)
    BEACON_MAIL__TRANSPORT="smtp://127.0.0.1:$port" beacon "$url" send "$CAMPAIGN" --force --no-wait >"$LOG/scale-send-$r.out" 2>&1
    local limit=$(( SUBS / 20 + 120 ))
    while :; do
      left=$(psql_q "$ref" "select count(*) from outbox where channel = 'email' and status in ('pending','sending')")
      [[ $left == 0 ]] && break
      kill -0 "$SINK_PID" 2>/dev/null || die "smtp-sink died (see $LOG/sink.out)"
      ge "$(now)" "$t0 + $limit" && { log "WARNING: scale-out run $r gave up after ${limit}s with $left left"; break; }
      sleep 0.5 # each poll is a psql process: every 0.2 s they took 8 % of the machine under perf
    done
    t1=$(now)
    m1=$(machine_ticks); b1=$(proc_ticks "$pid1" "$pid2"); k1=$(proc_ticks "$SINK_PID"); g1=$(pg_ticks)
    if [[ -n $perfpid ]]; then
      kill -INT "$perfpid" 2>/dev/null || true
      wait "$perfpid" 2>/dev/null || true
    fi
    stop_pid "$pid1"; stop_pid "$pid2"
    stop_sink
    # Shares of the 2 cores' time over the run (100 % = both cores busy throughout): the two
    # beacons, PostgreSQL (with the fan-out's and the polling's backends), the sink, and idle.
    local span busy
    span=$(awk -v a="$m0" -v b="$m1" 'BEGIN { split(a, x, " "); split(b, y, " "); print y[2] - x[2] }')
    busy=$(busy_share "$m0" "$m1")
    if ((profiled)); then
      perf report -i "$WORK/perf-scale.data" --no-children --sort comm --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -8 >"$WORK/prof-scale-comm.txt" || true
      perf report -i "$WORK/perf-scale.data" --no-children --sort comm,sym --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -30 >"$WORK/prof-scale-sym.txt" || true
      S5[pbusy]=$busy
      log "scale-out profiled run: busy $busy %, $(calc "($t1 - $t0)" 1) s"
      drop_fresh postgres "$ref"
      rm -rf "$dumpdir" "$dump"
      continue
    fi
    S5[busy]="${S5[busy]:-} $busy"
    S5[cpu-beacon]="${S5[cpu-beacon]:-} $(calc "100 * ($b1 - $b0) / $span" 0)"
    S5[cpu-pg]="${S5[cpu-pg]:-} $(calc "100 * ($g1 - $g0) / $span" 0)"
    S5[cpu-sink]="${S5[cpu-sink]:-} $(calc "100 * ($k1 - $k0) / $span" 0)"
    cat "$dumpdir"/* >"$dump" 2>/dev/null || true
    rm -rf "$dumpdir"
    local got uniq maxper sent_rows per1 per2 wall
    wall=$(calc "$t1 - $t0" 3)
    got=$(grep -ac '^X-Rcpt-Args:' "$dump" || true)
    uniq=$(grep -a '^X-Rcpt-Args:' "$dump" | sort -u | wc -l)
    maxper=$(grep -a '^X-Rcpt-Args:' "$dump" | awk '{ c[$0]++ } END { m = 0; for (k in c) if (c[k] > m) m = c[k]; print m }')
    sent_rows=$(psql_q "$ref" "select count(*) from outbox where channel = 'email' and status = 'sent'")
    # which process sent what: each worker's share, from the sink's view of client ports is not
    # kept, so use the delivered events per run instead (both processes write them).
    S5[mps]="${S5[mps]:-} $(calc "$got / $wall" 1)"
    S5[got]="${S5[got]:-} $got"
    S5[uniq]="${S5[uniq]:-} $uniq"
    S5[maxper]="${S5[maxper]:-} ${maxper:-0}"
    S5[sent]="${S5[sent]:-} $sent_rows"
    S5[wall]="${S5[wall]:-} $wall"
    log "scale-out run $r: sink got $got messages, $uniq distinct recipients, max $maxper per recipient, outbox sent $sent_rows, ${wall}s"
    rm -f "$dump"
    drop_fresh postgres "$ref"
  done
}

# ---------------------------------------------------------------- scenario 6: urgent latency (issue 17)
# A copy of $CAMPAIGN marked `urgent = true`; smtp-sink writes one file per message (-d), so each
# file's modification time is the sink's receive time. Latency = receive time - the moment the
# send command started ("fire"), which includes process start and the fan-out of every row.
declare -A S6=()
scenario6() {
  local e r camp=$WORK/campaigns
  rm -rf "$camp"; cp -a "$ROOT/campaigns" "$camp"
  sed '0,/^title = /s//urgent = true\ntitle = /' "$ROOT/campaigns/$CAMPAIGN.md" >"$camp/urgent-$CAMPAIGN.md"
  for e in ${BENCH_URGENT_ENGINES:-sqlite postgres}; do
    make_template "$e" "$SUBS"
    for r in $(seq 1 "$RUNS"); do
      fresh_db "$e" "$SUBS" "urgent_$$"
      # The sink's files go to memory (tmpfs) when it can: written to the disk Beacon's database
      # is on, 150 MB per 20,000 messages of dirty pages slowed the database's own fsyncs more
      # with every run (last message 16.7, 22.3, 30.3 s in three runs; 16.1 s on tmpfs).
      local shm=/dev/shm
      [[ -d $shm && -w $shm ]] || shm=$WORK
      local ref=$FRESH_REF url=$FRESH_URL port dir=$shm/beacon-urgent-$$ t0 t1
      rm -rf "$dir"; mkdir -p "$dir"
      [[ $(id -u) != 0 ]] || chown nobody "$dir"
      port=$(free_port 25250)
      start_sink "$port" -d "$dir/m"
      t0=$(now)
      BEACON_DATABASE__URL=$url BEACON_MAIL__TRANSPORT="smtp://127.0.0.1:$port" \
        "$BEACON" --campaigns "$camp" send "urgent-$CAMPAIGN" --force \
        >"$LOG/urgent-$e-$r.out" 2>&1 </dev/null || die "urgent send failed (see $LOG/urgent-$e-$r.out)"
      t1=$(now)
      stop_sink
      find "$dir" -type f -printf '%T@\n' | awk -v t0="$t0" '{ printf "%.6f\n", $1 - t0 }' | sort -g >"$WORK/lat.txt"
      local n first p50 p99 last
      n=$(wc -l <"$WORK/lat.txt")
      first=$(head -1 "$WORK/lat.txt"); last=$(tail -1 "$WORK/lat.txt")
      p50=$(awk -v n="$n" 'NR == int(n * 0.50 + 0.5) { print; exit }' "$WORK/lat.txt")
      p99=$(awk -v n="$n" 'NR == int(n * 0.99 + 0.5) { print; exit }' "$WORK/lat.txt")
      S6[$e:n]="${S6[$e:n]:-} $n"
      S6[$e:first]="${S6[$e:first]:-} $(calc "$first" 3)"
      S6[$e:p50]="${S6[$e:p50]:-} $(calc "$p50" 3)"
      S6[$e:p99]="${S6[$e:p99]:-} $(calc "$p99" 3)"
      S6[$e:last]="${S6[$e:last]:-} $(calc "$last" 3)"
      log "urgent $e run $r: $n messages, first $(calc "$first" 3)s, p50 $(calc "$p50" 3)s, p99 $(calc "$p99" 3)s, last $(calc "$last" 3)s after fire"
      rm -rf "$dir"
      drop_fresh "$e" "$ref"
    done
  done
}

# ---------------------------------------------------------------- query plans (issue 17)
# The claim and the recipient lookup as delivery runs them, on a run fanned out but not sent:
# PostgreSQL's EXPLAIN ANALYZE (inside a transaction rolled back: the claim is an UPDATE) and
# SQLite's EXPLAIN QUERY PLAN.
PLANS_PG= PLANS_SQLITE=
scenario_plans() {
  local due claim recip
  due=$(( ($(date +%s) + 86400) * 1000 ))
  claim="update outbox set status = 'sending', lease_until = $due, attempts = attempts + 1, updated_at = $due, owner_id = null
    where outbox_id OPEN select outbox_id from outbox where status = 'pending' and next_attempt_at <= $due
    and channel in ('email', 'webhook') order by lane, next_attempt_at, outbox_id limit 200 LOCK returning outbox_id"
  # As delivery sends it: the 200 claimed residents' ids as a literal list.
  local first200="select subscriber_id from outbox where status = 'pending' order by lane, next_attempt_at, outbox_id limit 200"
  recip="select subscriber_id, email, status, token_version from subscriber where subscriber_id in (IDS)"
  fresh_db postgres "$SUBS" "plan_$$"
  local ref=$FRESH_REF url=$FRESH_URL
  beacon "$url" send "$CAMPAIGN" --force --no-wait >"$LOG/plan-pg.out" 2>&1
  psql_q "$ref" "vacuum analyze" >/dev/null
  local ids
  ids=$(psql_q "$ref" "select string_agg(subscriber_id::text, ',') from ($first200) x")
  local pg_claim=${claim/OPEN/= any(array(}
  PLANS_PG=$(psql -X -q -t -A -d "$(pg_url "$ref")" -c "begin" \
    -c "explain (analyze, buffers) ${pg_claim/LOCK/for update skip locked))}" -c "rollback" \
    -c "explain (analyze, buffers) ${recip/IDS/$ids}" 2>&1)
  drop_fresh postgres "$ref"
  fresh_db sqlite "$SUBS" "plan_$$"
  ref=$FRESH_REF url=$FRESH_URL
  beacon "$url" send "$CAMPAIGN" --force --no-wait >"$LOG/plan-sqlite.out" 2>&1
  local lite_claim=${claim/OPEN/in (}
  ids=$(sqlite3 "$ref" "select group_concat(subscriber_id) from ($first200)")
  PLANS_SQLITE=$(sqlite3 "$ref" "explain query plan ${lite_claim/LOCK/)};" "explain query plan ${recip/IDS/$ids};" 2>&1)
  drop_fresh sqlite "$ref"
}

# ---------------------------------------------------------------- profile
scenario_profile() {
  [[ $PROFILE == 1 ]] && command -v perf >/dev/null || { PROFILE_NOTE="perf not available; no profile taken"; return 0; }
  local n=$SUBS e arm port arms="sqlite postgres"
  [[ $BEFORE != 1 ]] || arms="$arms sqlite-off"
  for arm in $arms; do
    e=${arm%-off}
    local query=
    [[ $arm == *-off ]] && query="?pipelining=off"
    fresh_db "$e" "$n" "prof_$$"
    local ref=$FRESH_REF url=$FRESH_URL
    port=$(free_port 25250)
    start_sink "$port"
    BEACON_DATABASE__URL=$url BEACON_MAIL__TRANSPORT="smtp://127.0.0.1:$port$query" LD_PRELOAD=${PROFILE_PRELOAD:-} \
      perf record -F 999 -o "$WORK/perf-$arm.data" -- \
      "$BEACON" --campaigns "$ROOT/campaigns" send "$CAMPAIGN" --force >"$LOG/prof-$arm.out" 2>"$LOG/prof-$arm.err" < /dev/null \
      || { PROFILE_NOTE="perf record failed: $(tail -1 "$LOG/prof-$arm.err")"; stop_sink; drop_fresh "$e" "$ref"; return 0; }
    stop_sink
    perf report -i "$WORK/perf-$arm.data" --no-children --sort dso --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -8 >"$WORK/prof-dso-$arm.txt" || true
    perf report -i "$WORK/perf-$arm.data" --no-children --sort sym --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -25 >"$WORK/prof-sym-$arm.txt" || true
    perf report -i "$WORK/perf-$arm.data" --no-children --sort comm --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -8 >"$WORK/prof-comm-$arm.txt" || true
    drop_fresh "$e" "$ref"
  done
  PROFILE_NOTE=ok
}

# ---------------------------------------------------------------- report
m() { median ${1:-}; }
write_results() {
  local tmp=$OUT.tmp
  {
    echo "# Beacon benchmark results"
    echo
    echo "Produced by \`benches/e2e.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'). Do not edit by hand; the"
    echo "analysis below the tables is in \`benches/ANALYSIS.md\` and is appended verbatim."
    echo
    echo "| Machine | |"
    echo "|---|---|"
    echo "| Commit | \`$COMMIT\`$DIRTY |"
    echo "| CPU | $CPU, $CORES cores |"
    echo "| Memory | $MEM_GB GiB |"
    echo "| Kernel | $KERNEL |"
    echo "| PostgreSQL / SQLite | $PGVER / $SQLITEVER |"
    echo "| Runs per figure | $RUNS (median); large memory run: $MILLION_RUNS |"
    echo "| SMTP pool (= smtp-source sessions) | $POOL |"
    echo "| Message | \`$CAMPAIGN\`, $MSG_BYTES bytes on the wire (same file sent by smtp-source -F) |"
    echo "| Demo data | ${SUBS} residents: $(demo_note "$SUBS"); ${MILLION} residents: $(demo_note "$MILLION") |"
    echo
    echo "## Summary"
    echo
    echo "| # | Scenario | Figure (median) | Ceiling / reference (median) | Ratio | Target | Result |"
    echo "|---|---|---|---|---|---|---|"
    if [[ $SCENARIOS == *" 1 "* ]]; then
      local e
      for e in sqlite postgres; do
        local b s
        b=$(m "${S1[fan-$e:mps]:-}"); s=$(m "${S1[src-$e:mps]:-}")
        echo "| 1 | Fan-out $SUBS, $e | $b msg/s | smtp-source -d -s $POOL: $s msg/s | $(calc "$b / $s" 2) | >= 0.80 | $(verdict "$(calc "$b / $s" 3)" 0.8) |"
        if [[ -n ${S1[off-$e:mps]:-} ]]; then
          local o
          o=$(m "${S1[off-$e:mps]:-}")
          echo "| 1 | (before) same, \`?pipelining=off\` | $o msg/s | smtp-source -d -s $POOL: $s msg/s | $(calc "$o / $s" 2) | | pipelined / not: $(calc "$b / $o" 2)× |"
        fi
        if [[ -n ${S1[win-$e:mps]:-} ]]; then
          local w
          w=$(m "${S1[win-$e:mps]:-}")
          echo "| 1 | (what if) same, \`delivery.max_unrecorded = $WINDOW\` (a crash could repeat $WINDOW, not $POOL) | $w msg/s, CPU $(m "${S1[win-$e:cpu1k]:-}") s per 1,000 | smtp-source -d -s $POOL: $s msg/s | $(calc "$w / $s" 2) | informational | $(calc "$w / $b" 2)× the default |"
        fi
      done
    fi
    if [[ $SCENARIOS == *" 2 "* ]]; then
      local e small big
      for e in sqlite postgres; do
        small=$(m "${S1[fan-$e:rss]:-}")
        [[ $small == n/a ]] && continue
        echo "| 2 | Peak RSS, fan-out $SUBS, $e | $small MB | | | <= 150 MB | $(verdict_le "$small" 150) |"
      done
      for e in $MILLION_ENGINES; do
        big=$(m "${S1[big-$e:rss]:-}")
        [[ $big == n/a ]] && continue
        small=$(m "${S1[fan-$e:rss]:-}")
        echo "| 2 | Peak RSS, fan-out $MILLION, $e | $big MB | $SUBS run: $small MB | $(calc "$big / $small" 2) | <= 150 MB and ratio <= 1.20 | $(if [[ $(verdict_le "$big" 150) == PASS && $(verdict_le "$(calc "$big / $small" 3)" 1.2) == PASS ]]; then echo PASS; else echo FAIL; fi) |"
      done
    fi
    if [[ -n ${S3[beacon-200]:-} ]]; then
      local b s
      b=$(m "${S3[beacon-200]:-}"); s=$(m "${S3[static-200]:-}")
      echo "| 3 | Feed /feeds/all/atom.xml, 200 ($FEED_BYTES bytes) | $b req/s | nginx, same bytes: $s req/s | $(calc "$b / $s" 2) | >= 20,000 req/s | $(verdict "$b" 20000) |"
      b=$(m "${S3[beacon-304]:-}"); s=$(m "${S3[static-304]:-}")
      echo "| 3 | Feed, If-None-Match (304) | $b req/s | nginx 304: $s req/s | $(calc "$b / $s" 2) | >= 20,000 req/s | $(verdict "$b" 20000) |"
    fi
    if [[ -n ${S4[sqlite:rps]:-}${S4[postgres:rps]:-} ]]; then
      local e
      for e in sqlite postgres; do
        local v c
        v=$(m "${S4[$e:rps]:-}")
        c=$(echo ${S4[$e:consistent]:-} | tr ' ' '\n' | grep -c no || true)
        echo "| 4 | Sign-up POST /subscribe, $e | $v accepted/s (refused: ${S4[$e:refused]:-} ) | every 200 a pending subscriber + confirmation: $([[ $c == 0 ]] && echo "yes, all runs" || echo "NO in $c run(s)") | | >= 1,000/s | $( [[ $c == 0 ]] && verdict "$v" 1000 || echo FAIL) |"
      done
    fi
    if [[ -n ${S5[got]:-} ]]; then
      local ok=PASS x
      for x in ${S5[got]:-none}; do [[ $x == "$SUBS" ]] || ok=FAIL; done
      for x in ${S5[uniq]:-none}; do [[ $x == "$SUBS" ]] || ok=FAIL; done
      for x in ${S5[maxper]:-none}; do [[ $x == 1 ]] || ok=FAIL; done
      local b1
      b1=$(m "${S1[fan-postgres:mps]:-}")
      echo "| 5 | Scale-out: 2 × \`serve\` on one PostgreSQL, $SUBS messages | sink counted [${S5[got]:-} ], distinct [${S5[uniq]:-} ], max per recipient [${S5[maxper]:-} ]; $(m "${S5[mps]:-}") msg/s | 1 process (scenario 1): $b1 msg/s | $( [[ $b1 != n/a ]] && calc "$(m "${S5[mps]:-}") / $b1" 2) | exactly $SUBS, none twice | $ok |"
    fi
    if [[ -n ${S6[sqlite:n]:-}${S6[postgres:n]:-} ]]; then
      local e
      for e in sqlite postgres; do
        [[ -n ${S6[$e:n]:-} ]] || continue
        local f l w
        f=$(m "${S6[$e:first]:-}"); l=$(m "${S6[$e:last]:-}"); w=$(m "${S1[fan-$e:wall]:-}")
        echo "| 6 | Urgent: fire to first message at the sink, $e | $f s (p50 $(m "${S6[$e:p50]:-}") s, p99 $(m "${S6[$e:p99]:-}") s per message) | | | <= 1 s | $(verdict_le "$f" 1) |"
        echo "| 6 | Urgent: fire to last of $SUBS, $e | $l s | pure fan-out wall (scenario 1): $w s | $( [[ $w != n/a ]] && calc "$l / $w" 2) | <= 1.25 × | $( [[ $w != n/a ]] && verdict_le "$(calc "$l / $w" 3)" 1.25) |"
      done
    fi
    echo
    if [[ $SCENARIOS == *" 1 "* ]]; then
      echo "## 1. Fan-out detail"
      echo
      echo "\`beacon send $CAMPAIGN\` (fan-out into the outbox, then deliver until nothing is due) into \`smtp-sink\` on 127.0.0.1;"
      echo "wall time of the whole command, so fan-out is included. CPU is user + system of the \`beacon\` process from \`/usr/bin/time -v\`."
      echo "Each run starts from a copy of the same demo database. Messages one send produces: $(aud_note)."
      echo
      echo "| Engine | Beacon msg/s (runs) | smtp-source msg/s (runs) | Beacon wall s | CPU s / 1,000 msgs | Peak RSS MB | Counted at sink | Machine busy % (Beacon / smtp-source) |"
      echo "|---|---|---|---|---|---|---|---|"
      local e
      for e in sqlite postgres; do
        echo "| $e | $(m "${S1[fan-$e:mps]:-}") (${S1[fan-$e:mps]:-} ) | $(m "${S1[src-$e:mps]:-}") (${S1[src-$e:mps]:-} ) | $(m "${S1[fan-$e:wall]:-}") | $(m "${S1[fan-$e:cpu1k]:-}") | $(m "${S1[fan-$e:rss]:-}") | ${S1[fan-$e:sink]:-} | $(m "${S1[fan-$e:busy]:-}") / $(m "${S1[src-$e:busy]:-}") |"
        [[ -z ${S1[off-$e:mps]:-} ]] || echo "| $e, pipelining off | $(m "${S1[off-$e:mps]:-}") (${S1[off-$e:mps]:-} ) | | $(m "${S1[off-$e:wall]:-}") | $(m "${S1[off-$e:cpu1k]:-}") | $(m "${S1[off-$e:rss]:-}") | ${S1[off-$e:sink]:-} | $(m "${S1[off-$e:busy]:-}") |"
        [[ -z ${S1[win-$e:mps]:-} ]] || echo "| $e, what if \`delivery.max_unrecorded = $WINDOW\` | $(m "${S1[win-$e:mps]:-}") (${S1[win-$e:mps]:-} ) | | $(m "${S1[win-$e:wall]:-}") | $(m "${S1[win-$e:cpu1k]:-}") | $(m "${S1[win-$e:rss]:-}") | ${S1[win-$e:sink]:-} | $(m "${S1[win-$e:busy]:-}") |"
      done
      for e in sqlite postgres; do
        [[ -n ${S1[nd-$e:mps]:-} ]] || continue
        echo "| $e, **what-if: TCP_NODELAY via LD_PRELOAD** (1 run, not a result) | $(m "${S1[nd-$e:mps]:-}") (ratio $(calc "$(m "${S1[nd-$e:mps]:-}") / $(m "${S1[src-$e:mps]:-}")" 2)) | | $(m "${S1[nd-$e:wall]:-}") | $(m "${S1[nd-$e:cpu1k]:-}") | $(m "${S1[nd-$e:rss]:-}") | ${S1[nd-$e:sink]:-} | $(m "${S1[nd-$e:busy]:-}") |"
      done
      for e in $MILLION_ENGINES; do
        [[ -n ${S1[big-$e:mps]:-} ]] || continue
        echo "| $e, $MILLION | $(m "${S1[big-$e:mps]:-}") (${S1[big-$e:mps]:-} ) | | $(m "${S1[big-$e:wall]:-}") | $(m "${S1[big-$e:cpu1k]:-}") | $(m "${S1[big-$e:rss]:-}") (${S1[big-$e:rss]:-} ) | ${S1[big-$e:sink]:-} | $(m "${S1[big-$e:busy]:-}") |"
      done
      echo
    fi
    if [[ -n ${S3[beacon-200]:-} ]]; then
      echo "## 3. Feeds detail"
      echo
      echo "$FEED_COUNT entries published with \`beacon send $CAMPAIGN --no-wait\` (the feed shows the newest 50: $FEED_BYTES bytes)."
      echo "\`wrk -t2 -c64 -d${WRK_SECS}s\`; the ceiling is nginx ($(nproc) workers, access log off) serving a copy of the same bytes. wrk, server and client share the $CORES cores."
      echo
      echo "| Path | Beacon req/s (runs) | nginx req/s (runs) |"
      echo "|---|---|---|"
      echo "| 200 | ${S3[beacon-200]:-} | ${S3[static-200]:-} |"
      echo "| 304 (If-None-Match) | ${S3[beacon-304]:-} | ${S3[static-304]:-} |"
      echo
    fi
    if [[ -n ${S4[sqlite:rps]:-}${S4[postgres:rps]:-} ]]; then
      echo "## 4. Sign-up detail"
      echo
      echo "\`wrk -t2 -c64 -d${WRK_SECS}s\` with a Lua script posting a new address each request (postcode HP5 9AA, topic fear-of-crime);"
      echo "\`serve --no-scheduler --no-worker\` so confirmations stay queued; per-IP limit off (\`BEACON_SIGNUP__PER_IP_PER_HOUR=0\`)."
      echo "Accepted/s = pending subscribers in the database / ${WRK_SECS} s."
      echo
      echo "| Engine | 200 responses (runs) | pending subscribers | confirmations in outbox | other responses | accepted/s |"
      echo "|---|---|---|---|---|---|"
      local e
      for e in sqlite postgres; do
        echo "| $e | ${S4[$e:acc]:-} | ${S4[$e:pend]:-} | ${S4[$e:conf]:-} | ${S4[$e:refused]:-} | ${S4[$e:rps]:-} |"
      done
      echo
    fi
    if [[ -n ${S5[got]:-} ]]; then
      echo "## 5. Scale-out detail"
      echo
      echo "Two \`beacon serve --no-scheduler\` processes (workers on, $POOL SMTP connections each) on one PostgreSQL database; \`beacon send $CAMPAIGN --no-wait\`"
      echo "fans out; timed until no e-mail row is pending or sending. The sink appends every transaction to one file (\`smtp-sink -D\`)"
      echo "and the \`X-Rcpt-Args\` envelope lines are counted: total, distinct, and the most any one recipient got."
      echo
      echo "| Run figures | values |"
      echo "|---|---|"
      echo "| messages at sink | ${S5[got]:-} |"
      echo "| distinct recipients | ${S5[uniq]:-} |"
      echo "| max per recipient | ${S5[maxper]:-} |"
      echo "| outbox rows sent | ${S5[sent]:-} |"
      echo "| wall s | ${S5[wall]:-} |"
      echo "| msg/s | ${S5[mps]:-} |"
      echo "| machine busy, % of both cores | ${S5[busy]:-} |"
      echo "| the two beacons, % of both cores | ${S5[cpu-beacon]:-} |"
      echo "| PostgreSQL (every backend), % of both cores | ${S5[cpu-pg]:-} |"
      echo "| smtp-sink, % of both cores | ${S5[cpu-sink]:-} |"
      echo
      echo "One process (scenario 1, PostgreSQL) kept the machine $(m "${S1[fan-postgres:busy]:-}") % busy (runs: ${S1[fan-postgres:busy]:-} ); smtp-source alone $(m "${S1[src-postgres:busy]:-}") %."
      echo
      if [[ -s $WORK/prof-scale-comm.txt ]]; then
        echo "\`perf record -a -F 499\` of one more two-process run (not in the figures above; machine busy ${S5[pbusy]:-?} %): samples by command, then by command and symbol (top 30):"
        echo
        echo '```'
        cat "$WORK/prof-scale-comm.txt"
        echo
        cat "$WORK/prof-scale-sym.txt"
        echo '```'
      fi
      echo
    fi
    if [[ -n ${S6[sqlite:n]:-}${S6[postgres:n]:-} ]]; then
      echo "## 6. Urgent latency detail"
      echo
      echo "\`beacon send urgent-$CAMPAIGN --force\` (a copy of \`$CAMPAIGN\` with \`urgent = true\`) into \`smtp-sink -d\` (one file per message;"
      echo "its modification time is the receive time). Seconds after the send command started (\"fire\"), so process start and fan-out are included."
      echo "Writing a file per message makes the sink slower than in scenario 1."
      echo
      echo "| Engine | messages (runs) | first s | p50 s | p99 s | last s |"
      echo "|---|---|---|---|---|---|"
      local e
      for e in sqlite postgres; do
        [[ -n ${S6[$e:n]:-} ]] || continue
        echo "| $e | ${S6[$e:n]:-} | ${S6[$e:first]:-} | ${S6[$e:p50]:-} | ${S6[$e:p99]:-} | ${S6[$e:last]:-} |"
      done
      echo
    fi
    if [[ -n $PLANS_PG$PLANS_SQLITE ]]; then
      echo "## Query plans: the claim (200 rows) and the recipient lookup, on $SUBS queued messages"
      echo
      echo "PostgreSQL, \`EXPLAIN (ANALYZE, BUFFERS)\` (the claim inside a transaction rolled back):"
      echo
      echo '```'
      echo "$PLANS_PG"
      echo '```'
      echo
      echo "SQLite, \`EXPLAIN QUERY PLAN\`:"
      echo
      echo '```'
      echo "$PLANS_SQLITE"
      echo '```'
      echo
    fi
    if [[ -n ${PROFILE_NOTE:-} ]]; then
      echo "## Profile (perf, this run)"
      echo
      if [[ $PROFILE_NOTE == ok ]]; then
        local e
        for e in sqlite postgres sqlite-off; do
          [[ -f $WORK/prof-sym-$e.txt ]] || continue
          echo "\`perf record -F 999\` of one $SUBS fan-out on ${e%-off}$([[ $e == *-off ]] && echo ', **pipelining off** (before)')${PROFILE_PRELOAD:+ with the TCP_NODELAY shim (so CPU, not the stall, dominates)}; samples by image and by symbol (self time, top 25):"
          echo
          echo '```'
          cat "$WORK/prof-dso-$e.txt"
          echo
          cat "$WORK/prof-sym-$e.txt"
          echo '```'
          echo
        done
      else
        echo "$PROFILE_NOTE"
        echo
      fi
    fi
    if [[ -f $HERE/ANALYSIS.md ]]; then
      cat "$HERE/ANALYSIS.md"
    fi
  } >"$tmp"
  mv "$tmp" "$OUT"
}
demo_note() { local k; for k in "sqlite-$1" "postgres-$1"; do [[ -n ${DEMO_SECS[$k]:-} ]] && printf '%s demo %s s; ' "${k%%-*}" "${DEMO_SECS[$k]}"; done; }
aud_note() { local c; for c in "${!AUDIENCE[@]}"; do printf '%s → %s; ' "$c" "${AUDIENCE[$c]}"; done; }

# ---------------------------------------------------------------- main
install_missing
log "building release (CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
cargo build --release --quiet
[[ -x $BEACON ]] || die "no binary at $BEACON"
pg_isready -q -h 127.0.0.1 || die "PostgreSQL is not accepting connections at 127.0.0.1:5432"
common_env
machine
calibrate_message
log "work dir $WORK"
SHIM=
if [[ $WHATIF == 1 ]] && cc -shared -fPIC -O2 -o "$WORK/nodelay_shim.so" "$HERE/nodelay_shim.c" -ldl 2>"$LOG/shim.err"; then
  SHIM=$WORK/nodelay_shim.so
fi

if [[ $SCENARIOS == *" 1 "* || $SCENARIOS == *" 2 "* || $SCENARIOS == *" 5 "* ]]; then
  make_template sqlite "$SUBS"
  for c in winter-burglary realities-of-local-crime; do
    AUDIENCE[$c]=$(audience "sqlite://${TEMPLATE[sqlite-$SUBS]}" "$c")
  done
fi
# Fan-out first (the results are written after each scenario, so an interrupted run keeps them).
[[ $SCENARIOS != *" 1 "* ]] || { scenario1; write_results; }
[[ $SCENARIOS != *" 6 "* ]] || { scenario6; write_results; }
[[ $SCENARIOS != *" 5 "* ]] || { scenario5; write_results; }
[[ $SCENARIOS != *" 1 "* ]] || { scenario_plans; write_results; }
PROFILE_PRELOAD=$SHIM
[[ $PROFILE != 1 ]] || { scenario_profile; write_results; }
[[ $SCENARIOS != *" 3 "* ]] || { scenario3; write_results; }
[[ $SCENARIOS != *" 4 "* ]] || { scenario4; write_results; }
# The 1,000,000-resident memory run last: it is the longest (a demo and a fan-out per engine).
[[ $SCENARIOS != *" 2 "* ]] || { scenario2; write_results; }
write_results
log "wrote $OUT"
