#!/usr/bin/env bash
# Trains tokenizers/weft-general-16k.model, Weft's general-English SentencePiece
# tokenizer, on the english_text folder of the shared data set.
#
#   Scripts/train-general-tokenizer.sh PATH/TO/english_text [OUTPUT.model]
#
# Held out (not trained on): modern_english/wikipedia/wiki_31, used to measure
# pieces per word (Scripts/measure-tokenizer.sh) and for the test sample.
# Left out: Brown and MASC (word/TAG annotated), movie_reviews, sentence_polarity
# and subjectivity (lower-cased, pre-tokenized), pros_cons, product_reviews and
# comparative_sentences (inline markup and annotations).
set -euo pipefail
cd "$(dirname "$0")/.."

corpus="${1:-}"
output="${2:-tokenizers/weft-general-16k.model}"
if [ -z "$corpus" ] || [ ! -d "$corpus/modern_english/wikipedia" ]; then
    echo "usage: Scripts/train-general-tokenizer.sh PATH/TO/english_text [OUTPUT.model]" >&2
    echo "  (the folder described in shared/data/README.md section 4, holding modern_english/wikipedia)" >&2
    exit 1
fi

[ -d /opt/swift/usr/bin ] && export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --product weft >/dev/null

.build/release/weft tokenizer train \
    --input "$corpus/modern_english/wikipedia" \
            "$corpus/nltk_gutenberg" \
            "$corpus/tiny_shakespeare" \
            "$corpus/nltk_misc/state_union.zip" \
            "$corpus/nltk_misc/inaugural.zip" \
            "$corpus/modern_english/nltk/abc.zip" \
            "$corpus/modern_english/nltk/webtext.zip" \
    --exclude "$corpus/modern_english/wikipedia/wiki_31" \
    --output "$output" \
    --model-type unigram \
    --vocab-size 16000 \
    --character-coverage 0.9995 \
    --sentence-limit 200000 \
    --seed 42
