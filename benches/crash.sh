#!/usr/bin/env bash
# Beacon crash benchmark (issue 11): kill -9 of `beacon serve` a third of the way through a
# send, restart with default settings, and count at a real SMTP server (postfix smtp-sink)
# what was lost, what was repeated and how long recovery took.  From the repository root:
#
#     benches/crash.sh
#
# For each engine, BENCH_RUNS runs; the median of each figure is reported against the targets
# (lost 0; duplicated ≤ the SMTP pool size; everything delivered within 30 s of the restart)
# and written into benches/RESULTS.md between the `crash` markers.
#
# Knobs (environment):
#   BENCH_RUNS=3                 runs per engine (median reported)
#   BENCH_CRASH_SUBSCRIBERS=20000
#   BENCH_POOL=4                 Beacon's SMTP pool size
#   BENCH_ENGINES="sqlite postgres"
#   BENCH_PG=postgres://postgres@127.0.0.1:5432
#   BENCH_BIN=target/release/beacon   (built with `cargo build --release` when missing)
#   BENCH_OUT=benches/RESULTS.md
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
cd "$ROOT"
RUNS=${BENCH_RUNS:-3}
N=${BENCH_CRASH_SUBSCRIBERS:-20000}
POOL=${BENCH_POOL:-4}
ENGINES=${BENCH_ENGINES:-sqlite postgres}
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
BIN=${BENCH_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/beacon}
OUT=${BENCH_OUT:-$HERE/RESULTS.md}
PATH=$PATH:/usr/sbin:/sbin
WORK=$(mktemp -d /tmp/beacon-crash.XXXXXX)
chmod 777 "$WORK" # smtp-sink drops to `nobody` when started as root and writes its dump here
declare -a PIDS=()

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

[[ -x /usr/sbin/smtp-sink ]] || die "smtp-sink is missing: apt-get install postfix"
if [[ ! -x $BIN ]]; then cargo build --release; fi
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END { print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2 }'; }
now() { date +%s.%N; }
free_port() { local p=$1; while ss -Hltn "sport = :$p" | grep -q .; do p=$((p + 1)); done; echo "$p"; }

export BEACON_MAIL__POOL_SIZE=$POOL BEACON_DIGEST__SCHEDULE="" RUST_LOG=${RUST_LOG:-warn}
unset BEACON_CONFIG
beacon() { BEACON_DATABASE__URL=$DB "$BIN" --campaigns "$ROOT/campaigns" "$@"; }
# Recipients the sink accepted: all of them, and distinct.
received() { grep -h '^X-Rcpt-Args:' "$DUMP" 2>/dev/null | wc -l; }
distinct() { grep -h '^X-Rcpt-Args:' "$DUMP" 2>/dev/null | sort -u | wc -l; }
queued() {
  local q="select count(*) from outbox where status in ('pending', 'sending') and channel = 'email'"
  if [[ $ENGINE == sqlite ]]; then sqlite3 "${DB#sqlite://}" "$q"; else psql -X -q -t -A -d "$DB" -c "$q"; fi
}
serve() {
  BEACON_DATABASE__URL=$DB BEACON_MAIL__TRANSPORT=smtp://127.0.0.1:$SINK_PORT \
    "$BIN" --campaigns "$ROOT/campaigns" serve --no-scheduler --listen 127.0.0.1:0 >>"$WORK/serve.log" 2>&1 &
  SERVE_PID=$!
  PIDS+=("$SERVE_PID")
}

one_run() { # engine run -> "lost duplicated recovery_secs"
  ENGINE=$1
  local tag="crash_$$_${1}_$2"
  if [[ $ENGINE == sqlite ]]; then
    DB="sqlite://$WORK/$tag.db"
  else
    psql -X -q -d "$PG/postgres" -c "drop database if exists $tag with (force)" -c "create database $tag" >/dev/null
    DB="$PG/$tag"
  fi
  beacon migrate >/dev/null
  beacon demo --subscribers "$N" >/dev/null
  beacon send winter-burglary --no-wait >/dev/null
  local expected; expected=$(queued)
  DUMP=$WORK/$tag.dump
  SINK_PORT=$(free_port 25300)
  local user=()
  [[ $(id -u) == 0 ]] && user=(-u nobody)
  smtp-sink "${user[@]}" -D "$DUMP" 127.0.0.1:"$SINK_PORT" 1000 >>"$WORK/sink.log" 2>&1 &
  local sink=$!
  PIDS+=("$sink")
  sleep 0.3
  serve
  local i
  for i in $(seq 1 6000); do (( $(received) * 3 >= expected )) && break; sleep 0.05; done
  kill -KILL "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
  local at_kill; at_kill=$(received)
  local t0; t0=$(now)
  serve
  local recovery=timeout
  for i in $(seq 1 3000); do
    if (( $(distinct) >= expected )); then recovery=$(awk "BEGIN { printf \"%.1f\", $(now) - $t0 }"); break; fi
    sleep 0.1
  done
  for i in $(seq 1 600); do (( $(queued) == 0 )) && break; sleep 0.1; done
  sleep 1
  kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
  kill -TERM "$sink"; wait "$sink" 2>/dev/null || true
  local total uniq; total=$(received); uniq=$(distinct)
  log "$ENGINE run $2: $expected queued, killed at $at_kill, received $total ($uniq distinct), recovery $recovery s"
  [[ $ENGINE == postgres ]] && psql -X -q -d "$PG/postgres" -c "drop database if exists $tag with (force)" >/dev/null
  echo "$((expected - uniq)) $((total - uniq)) $recovery"
}

declare -A ROWS=()
for e in $ENGINES; do
  lost=() dup=() rec=()
  for r in $(seq 1 "$RUNS"); do
    read -r l d s < <(one_run "$e" "$r")
    lost+=("$l"); dup+=("$d"); rec+=("${s/timeout/999}")
  done
  ml=$(median "${lost[@]}"); md=$(median "${dup[@]}"); mr=$(median "${rec[@]}")
  ok=PASS
  (( ml == 0 )) || ok=FAIL
  awk "BEGIN { exit !($md <= $POOL && $mr < 30) }" || ok=FAIL
  ROWS[$e]="| $e | $N | ${lost[*]} → $ml | ${dup[*]} → $md | ${rec[*]} → $mr | 0 lost, ≤ $POOL repeated, < 30 s | $ok |"
done

{
  echo "<!-- crash -->"
  echo "## Crash: kill -9 at a third, restart with defaults (benches/crash.sh)"
  echo
  echo "$(date -u +%Y-%m-%d), $RUNS runs per engine (runs → median), SMTP pool $POOL, smtp-sink counting recipients; binary \`${BIN#$ROOT/}\`."
  echo
  echo "| engine | messages | lost | duplicated | recovery s (restart → all delivered) | target | verdict |"
  echo "|---|---|---|---|---|---|---|"
  for e in $ENGINES; do echo "${ROWS[$e]}"; done
  echo "<!-- /crash -->"
} >"$WORK/section.md"
if grep -q '^<!-- crash -->' "$OUT" 2>/dev/null; then
  awk -v f="$WORK/section.md" '/^<!-- crash -->/ { while ((getline l < f) > 0) print l; skip = 1; next } /^<!-- \/crash -->/ { skip = 0; next } !skip' "$OUT" >"$WORK/out.md"
  cp "$WORK/out.md" "$OUT"
else
  { echo; cat "$WORK/section.md"; } >>"$OUT"
fi
cat "$WORK/section.md"
