#!/usr/bin/env bash
# Paper A's ablation on Amazon 2018 Gift Cards and Magazine Subscriptions, warm
# and cold, as in docs/RESULTS.md: all eight models of `weft evaluate` on four
# data cuts (the committed samples in data/ and the whole 5-core files).
#
#   Scripts/run-amazon-ablation.sh PATH/TO/shared/data ENCODER_DIR TAG [SEED] [OUT_DIR] [WORK_DIR]
#
# ENCODER_DIR is the "+tl" encoder (e.g. models/weft-small-products, or
# models/external/all-MiniLM-L6-v2 standing in for it). The "no transfer
# learning" arm is `weft init-model --like ENCODER_DIR --seed 0`: the same
# architecture, tokenizer and pooling with random weights. Reports go to
# OUT_DIR (default docs/results) as amazon2018-<cut>-ablation-TAG[-seedN]-<protocol>.json
# (and .md); the seed suffix is left out for seed 42. Converted data, texts and
# embeddings are kept in WORK_DIR (default /tmp/weft-amazon-ablation) and reused.
# Extra `weft evaluate` options can be passed in EVALUATE_OPTIONS, and a
# model list other than all eight in MODELS (comma-separated). PROTOCOLS
# picks the protocols (default "warm cold"); COLD_FOLDS=K runs the cold
# protocol in K folds (`--cold-folds K`, every product with interactions
# tested once) and names its reports ...-cold-kK.json.
set -euo pipefail
cd "$(dirname "$0")/.."

shared="${1:-}"; encoder="${2:-}"; tag="${3:-}"
seed="${4:-42}"; out="${5:-docs/results}"; work="${6:-/tmp/weft-amazon-ablation}"
if [ -z "$shared" ] || [ -z "$encoder" ] || [ -z "$tag" ] || [ ! -d "$shared/amazon2018_reviews" ] \
    || [ ! -f "$encoder/config.json" ]; then
    echo "usage: Scripts/run-amazon-ablation.sh PATH/TO/shared/data ENCODER_DIR TAG [SEED] [OUT_DIR] [WORK_DIR]" >&2
    echo "       (ENCODER_DIR must hold config.json; PATH/TO/shared/data must hold amazon2018_reviews/)" >&2
    exit 1
fi
[ -d /opt/swift/usr/bin ] && export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --product weft >/dev/null
weft="$PWD/.build/release/weft"
mkdir -p "$work" "$out"
raw="$shared/amazon2018_reviews"
suffix=""; [ "$seed" != 42 ] && suffix="-seed$seed"

# The data cuts: committed samples and converted 5-core files.
for pair in Gift_Cards:gift-cards Magazine_Subscriptions:magazines; do
    name="${pair%%:*}"; cut="${pair##*:}"
    [ -f "$work/amazon2018-$cut-full/products.jsonl" ] || "$weft" convert amazon2018 --input "$raw/${name}_5.json.gz" \
        --metadata "$raw/meta_$name.json.gz" --output "$work/amazon2018-$cut-full"
done
random="$work/encoders/$tag-random"
[ -f "$random/config.json" ] || "$weft" init-model --like "$encoder" --out "$random" --seed 0

for cut in gift-cards magazines gift-cards-full magazines-full; do
    case "$cut" in
        *-full) data="$work/amazon2018-$cut" ;;   # the report's dataset name is the folder's
        *) data="data/amazon2018-$cut" ;;
    esac
    texts="$work/$cut-texts.jsonl"
    # One text per product: title + ". " + description, as Scripts/demo.sh.
    python3 - "$data/products.jsonl" > "$texts" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    p = json.loads(line)
    text = ". ".join(x for x in (p.get("title"), p.get("description")) if x)
    print(json.dumps({"id": p["id"], "text": text or p["id"]}))
PY
    "$weft" embed --model "$encoder" --input "$texts" --output "$work/$cut-$tag-tl.jsonl" \
        --cache "$work/embeddings.db" 2>/dev/null
    "$weft" embed --model "$random" --input "$texts" --output "$work/$cut-$tag-random.jsonl" \
        --cache "$work/embeddings.db" 2>/dev/null
    for protocol in ${PROTOCOLS:-warm cold}; do
        report="$out/amazon2018-$cut-ablation-$tag$suffix-$protocol.json"
        folds=()
        if [ "$protocol" = cold ] && [ "${COLD_FOLDS:-1}" != 1 ]; then
            folds=(--cold-folds "$COLD_FOLDS")
            report="${report%.json}-k$COLD_FOLDS.json"
        fi
        echo "== $cut, $protocol -> $report"
        # shellcheck disable=SC2086
        "$weft" evaluate --data "$data" --protocol "$protocol" --seed "$seed" \
            --models "${MODELS:-popularity,bpr-mf,lightgcn,text-knn,weft-baseline,weft+tl,weft+gnn,weft+tl+gnn}" \
            --text-embeddings "$work/$cut-$tag-tl.jsonl" \
            --baseline-text-embeddings "$work/$cut-$tag-random.jsonl" \
            "${folds[@]}" ${EVALUATE_OPTIONS:-} --output "$report" 2> "${report%.json}.log"
    done
done
