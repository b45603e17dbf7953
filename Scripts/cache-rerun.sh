#!/usr/bin/env bash
# Encodes one catalog twice with `weft embed --cache` into a fresh store and
# reports both wall times and their ratio (issue: the second run must do no
# encoder work and be >= 100x faster).
# Usage: Scripts/cache-rerun.sh TEXTS.jsonl [MODEL_DIR]
#   TEXTS.jsonl: JSON lines with "id" and "text" (e.g. a catalog's titles + descriptions)
#   MODEL_DIR:   default models/external/all-MiniLM-L6-v2 (Scripts/fetch-pretrained.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
texts="${1:?usage: Scripts/cache-rerun.sh TEXTS.jsonl [MODEL_DIR]}"
model="${2:-models/external/all-MiniLM-L6-v2}"
weft=.build/release/weft
[ -x "$weft" ] || swift build -c release --product weft >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
echo "catalog: $texts ($(wc -l < "$texts") texts, sha256 $(sha256sum "$texts" | cut -c1-16)…), model: $model"
t0=$(now)
"$weft" embed --model "$model" --input "$texts" --output "$work/first.jsonl" --cache "$work/weft.db"
t1=$(now)
"$weft" embed --model "$model" --input "$texts" --output "$work/second.jsonl" --cache "$work/weft.db"
t2=$(now)
cmp -s "$work/first.jsonl" "$work/second.jsonl" || { echo "the two runs wrote different vectors" >&2; exit 1; }
python3 - "$t0" "$t1" "$t2" <<'PY'
import json, sys
t0, t1, t2 = map(float, sys.argv[1:])
first, second = t1 - t0, t2 - t1
print(json.dumps({"first_run_s": round(first, 3), "second_run_s": round(second, 3),
                  "speedup": round(first / second, 1)}))
PY
