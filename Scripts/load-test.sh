#!/usr/bin/env bash
# Load test of `weft serve`: builds release, starts the server on loopback,
# drives POST /v1/embeddings (one product description per request, 16
# connections) and GET /users/{id}/recommendations with wrk for a bounded
# time, stops the server with SIGTERM, and reports requests/s, p50/p99
# latency, errors and the server's peak RSS, next to the batch-32 texts/s of
# `weft bench encoder` measured in the same run (dynamic batching should reach
# at least 0.8 of it).
#
# Usage: Scripts/load-test.sh [ENCODER_DIR] [DB]
#   ENCODER_DIR  default models/external/all-MiniLM-L6-v2 (Scripts/fetch-pretrained.sh fetches it)
#   DB         default: a fresh store in a temporary folder (so the embedding cache starts empty)
# Environment: DURATION (seconds per phase, default 20), CONNECTIONS (default 16),
#   WRK_THREADS (default 2), PORT (default 18080), USER_ID (default: the first user of the store),
#   RECOMMENDER (a `weft train` model folder over DB; without it the recommendations phase is skipped).
set -euo pipefail
cd "$(dirname "$0")/.."

model="${1:-models/external/all-MiniLM-L6-v2}"
duration="${DURATION:-20}"
connections="${CONNECTIONS:-16}"
wrk_threads="${WRK_THREADS:-2}"
port="${PORT:-18080}"
texts="data/product-descriptions/descriptions.jsonl"

fail() { echo "load-test.sh: $*" >&2; exit 1; }
[ -s "$model/model.safetensors" ] || Scripts/fetch-pretrained.sh
[ -s "$model/model.safetensors" ] || fail "no model at $model"
command -v python3 >/dev/null 2>&1 || fail "needs python3 (Scripts/setup.sh installs it)"

if ! command -v wrk >/dev/null 2>&1; then
    command -v apt-get >/dev/null 2>&1 || fail "needs wrk (Debian package wrk) and apt-get is not available"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || fail "needs wrk; run as root (or install sudo) to install it"
        sudo="sudo"
    fi
    echo "load-test.sh: installing wrk"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -TERM "$server_pid"; wait "$server_pid" || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
db="${2:-$work/weft.db}"

echo "load-test.sh: building release"
swift build -c release --product weft 2>&1 | tail -n 1
weft="$(swift build -c release --show-bin-path)/weft"

echo "load-test.sh: weft bench encoder (same run, same texts)"
"$weft" bench encoder --model "$model" --input "$texts" --seconds 5 | tee "$work/bench.txt"
bench_json="$(tail -n 1 "$work/bench.txt")"

# One request body per description, as a Lua table for wrk.
python3 - "$texts" "$work/embeddings.lua" <<'PY'
import json, sys
texts = [json.loads(line)["text"] for line in open(sys.argv[1]) if line.strip()]
with open(sys.argv[2], "w") as out:
    out.write("local bodies = {\n")
    for text in texts:
        body = json.dumps({"input": text, "model": "weft"})
        out.write("[==[" + body + "]==],\n")
    out.write("}\n")
    out.write("""
local counter = 0
request = function()
    counter = counter + 1
    return wrk.format("POST", "/v1/embeddings", {["Content-Type"] = "application/json"}, bodies[(counter % #bodies) + 1])
end
""")
PY
cat > "$work/report.lua" <<'LUA'
done = function(summary, latency, requests)
    local errors = summary.errors.connect + summary.errors.read + summary.errors.write
        + summary.errors.status + summary.errors.timeout
    io.write(string.format("RESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.2f p99_ms=%.2f errors=%d non2xx=%d\n",
        summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors, summary.errors.status))
end
LUA
cat "$work/report.lua" >> "$work/embeddings.lua"

echo "load-test.sh: starting weft serve on 127.0.0.1:$port"
# --no-cache: the 300 descriptions repeat, and cache hits would measure SQLite, not the encoder.
recommender=()
[ -n "${RECOMMENDER:-}" ] && recommender=(--model "$RECOMMENDER")
"$weft" serve --db "$db" --encoder "$model" --no-cache "${recommender[@]}" --host 127.0.0.1 --port "$port" --log-level warning \
    > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 200); do
    curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; fail "the server exited"; }
    sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/info"; echo

echo "load-test.sh: POST /v1/embeddings, $connections connections, ${duration}s"
wrk -t "$wrk_threads" -c "$connections" -d "${duration}s" --latency -s "$work/embeddings.lua" \
    "http://127.0.0.1:$port" | tee "$work/embeddings.txt"
embeddings="$(grep '^RESULT' "$work/embeddings.txt" | sed 's/^RESULT //')"

user="${USER_ID:-}"
if [ -z "$user" ] && [ -s "$db" ]; then
    user="$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT * FROM users LIMIT 1").fetchone()[0])' "$db" 2>/dev/null || true)"
fi
recommendations="skipped"
status="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/users/${user:-unknown}/recommendations?k=10")"
if [ "$status" = "200" ]; then
    echo "load-test.sh: GET /users/$user/recommendations, $connections connections, ${duration}s"
    wrk -t "$wrk_threads" -c "$connections" -d "${duration}s" --latency -s "$work/report.lua" \
        "http://127.0.0.1:$port/users/$user/recommendations?k=10" | tee "$work/recommendations.txt"
    recommendations="$(grep '^RESULT' "$work/recommendations.txt" | sed 's/^RESULT //')"
else
    recommendations="skipped (GET /users/${user:-?}/recommendations answered $status: no recommendation model or user)"
fi

peak_rss_kib="$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")"
batches="$(curl -fsS "http://127.0.0.1:$port/metrics" | grep -E '^weft_encoder_batch_sequences_(sum|count)' | tr '\n' ' ')"
kill -TERM "$server_pid"
wait "$server_pid" && shutdown="clean (exit 0)" || shutdown="exit $?"
server_pid=""

batch32="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["batch32_texts_per_s"])' "$bench_json")"
rps="$(echo "$embeddings" | sed -E 's/.*rps=([0-9.]+).*/\1/')"
ratio="$(python3 -c "print(f'{float(\"$rps\") / float(\"$batch32\"):.2f}')")"
echo
echo "== load-test.sh summary ($(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)) =="
echo "model: $model"
echo "/v1/embeddings (1 text per request): $embeddings"
echo "/users/{id}/recommendations: $recommendations"
echo "weft bench encoder batch32: $batch32 texts/s; /v1/embeddings texts/s ÷ batch32 = $ratio (target ≥ 0.8)"
echo "encoder batches: $batches"
echo "server peak RSS: $((peak_rss_kib / 1024)) MiB; shutdown on SIGTERM: $shutdown"
