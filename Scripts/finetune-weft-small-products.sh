#!/usr/bin/env bash
# Fine-tunes a pretrained model folder on product and finance text, and runs
# the comparisons of docs/RESULTS.md ("Transfer learning").
#
#   Scripts/finetune-weft-small-products.sh PATH/TO/shared/data MODEL_FOLDER WORK_FOLDER
#
# Converts the four Amazon 2018 categories of PATH/TO/shared/data/amazon2018_reviews
# (Gift Cards and Magazine Subscriptions with product metadata, All Beauty and
# Appliances reviews only) with `weft convert amazon2018`, writes the finance
# sentences of finance_text as plain lines, then in WORK_FOLDER:
#   pretrained-finetuned/   MODEL_FOLDER fine-tuned (masked LM, then contrastive)
#   random-init-finetuned/  the small preset from random weights, fine-tuned alike
#                           (layer norm $LAYER_NORM, default pre, as models/weft-small)
#   minilm.json             held-out retrieval of all-MiniLM-L6-v2 (Scripts/fetch-pretrained.sh)
# Each fine-tuning report (finetune-report.json) holds the held-out Recall@10
# before training (= the starting model alone), after the masked-LM phase and at the end.
# Re-running the script resumes an interrupted arm from its checkpoints and skips a finished one.
set -euo pipefail
cd "$(dirname "$0")/.."

shared="${1:-}"; model="${2:-}"; work="${3:-}"
if [ -z "$shared" ] || [ -z "$model" ] || [ -z "$work" ] || [ ! -d "$shared/amazon2018_reviews" ]; then
    echo "usage: Scripts/finetune-weft-small-products.sh PATH/TO/shared/data MODEL_FOLDER WORK_FOLDER" >&2
    exit 1
fi
[ -d /opt/swift/usr/bin ] && export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --product weft >/dev/null
weft=.build/release/weft
mkdir -p "$work/data"

amazon="$shared/amazon2018_reviews"
for pair in Gift_Cards:gift-cards Magazine_Subscriptions:magazines All_Beauty:all-beauty Appliances:appliances; do
    name="${pair%%:*}"; folder="$work/data/amazon2018-${pair##*:}"
    metadata=()
    [ -f "$amazon/meta_$name.json.gz" ] && metadata=(--metadata "$amazon/meta_$name.json.gz")
    [ -f "$folder/products.jsonl" ] || "$weft" convert amazon2018 --input "$amazon/${name}_5.json.gz" "${metadata[@]}" --output "$folder"
done
python3 Scripts/prepare-finance-text.py "$shared/finance_text" "$work/data/finance-text.txt"

data=("$work/data/amazon2018-gift-cards" "$work/data/amazon2018-magazines" "$work/data/amazon2018-all-beauty" "$work/data/amazon2018-appliances")
common=(--data "${data[@]}" --text "$work/data/finance-text.txt" --mlm-steps 500 --contrastive-steps 1000
        --batch-size 32 --max-length 128 --seed 0)

# An arm that was interrupted (checkpoints left in its folder) is resumed; a finished one is kept.
resume() { [ -d "$1/checkpoints" ] && echo --resume; true; }
if [ ! -f "$work/pretrained-finetuned/finetune-report.json" ] || [ -d "$work/pretrained-finetuned/checkpoints" ]; then
    "$weft" finetune --model "$model" "${common[@]}" --out "$work/pretrained-finetuned" \
        $(resume "$work/pretrained-finetuned") 2>> "$work/pretrained-finetuned.log"
fi
if [ ! -f "$work/random-init-finetuned/finetune-report.json" ] || [ -d "$work/random-init-finetuned/checkpoints" ]; then
    "$weft" finetune --random-init --preset small --layer-norm "${LAYER_NORM:-pre}" --tokenizer tokenizers/weft-general-16k.model \
        "${common[@]}" --out "$work/random-init-finetuned" $(resume "$work/random-init-finetuned") \
        2>> "$work/random-init-finetuned.log"
fi
if [ -f models/external/all-MiniLM-L6-v2/model.safetensors ]; then
    "$weft" finetune --model models/external/all-MiniLM-L6-v2 --eval-only --data "${data[@]}" > "$work/minilm.json"
fi
