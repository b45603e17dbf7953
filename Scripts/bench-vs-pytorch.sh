#!/usr/bin/env bash
# Compares Weft's text-embedding throughput with sentence-transformers
# (PyTorch, CPU) and, if it installs, ONNX Runtime, on the same texts, with
# the same thread count, in one run (so a busy machine slows all alike).
#
#   Scripts/bench-vs-pytorch.sh [MODEL_DIR] [TEXTS_JSONL]
#
# Then runs Scripts/bench-graph-vs-pytorch.sh (LightGCN and the Weft GNN vs a
# PyTorch LightGCN); see the end of this file.
#
# Defaults: models/external/all-MiniLM-L6-v2 (Scripts/fetch-pretrained.sh) and
# data/product-descriptions/descriptions.jsonl. THREADS (default: all cores),
# SECONDS_PER_RUN (default 5) and WEFT_BENCH_VENV (default /tmp/weft-bench-venv)
# may be set. The Python packages go into that virtual environment, outside
# the repository; this script is not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
model="${1:-models/external/all-MiniLM-L6-v2}"
texts="${2:-data/product-descriptions/descriptions.jsonl}"
threads="${THREADS:-$(nproc)}"
seconds="${SECONDS_PER_RUN:-5}"
venv="${WEFT_BENCH_VENV:-/tmp/weft-bench-venv}"

[ -s "$model/model.safetensors" ] || { echo "bench-vs-pytorch.sh: no model in $model (run Scripts/fetch-pretrained.sh)" >&2; exit 1; }
[ -s "$texts" ] || { echo "bench-vs-pytorch.sh: no texts file $texts" >&2; exit 1; }

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import torch, sentence_transformers" 2>/dev/null; then
    echo "bench-vs-pytorch.sh: installing torch and sentence-transformers into $venv (from PyPI)" >&2
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet torch sentence-transformers
fi
if ! "$venv/bin/python" -c "import onnxruntime, onnx" 2>/dev/null; then
    "$venv/bin/pip" install --quiet onnxruntime onnx onnxscript \
        || echo "bench-vs-pytorch.sh: onnxruntime did not install; its figures are skipped" >&2
fi

swift build -c release --product weft >&2
weft_output="$(mktemp)"
trap 'rm -f "$weft_output"' EXIT
.build/release/weft bench encoder --model "$model" --input "$texts" --threads "$threads" \
    --seconds "$seconds" | tee "$weft_output" >&2
weft_json="$(tail -n 1 "$weft_output")"

HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 OMP_NUM_THREADS="$threads" \
"$venv/bin/python" - "$model" "$texts" "$threads" "$seconds" "$weft_json" <<'PY'
import json, os, sys, tempfile, time

import numpy as np
import torch
from sentence_transformers import SentenceTransformer

model_dir, texts_path, threads, seconds, weft = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), json.loads(sys.argv[5])
torch.set_num_threads(threads)
texts = [json.loads(line)["text"] for line in open(texts_path, encoding="utf-8") if line.strip()]

model = SentenceTransformer(model_dir, device="cpu")
tokenizer = model.tokenizer
max_length = model.max_seq_length
config = model[0].auto_model.config
c, inter, layers = config.hidden_size, config.intermediate_size, config.num_hidden_layers
non_embedding = layers * (4 * c * c + 4 * c + 2 * c * inter + inter + c + 4 * c)
lengths = [min(len(tokenizer(t)["input_ids"]), max_length) for t in texts]
flops = sum(2 * non_embedding * n + 4 * n * n * c * layers for n in lengths)
sgemm = weft["sgemm_gflops"]


def timed(run):
    run(texts[:64])
    passes, start = 0, time.perf_counter()
    while True:
        run(texts)
        passes += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return elapsed / passes


results = {}
for batch in (1, 32):
    per_pass = timed(lambda xs: model.encode(xs, batch_size=batch, normalize_embeddings=True))
    results[f"sentence_transformers_batch{batch}"] = per_pass

try:
    import onnxruntime as ort

    onnx_path = os.path.join(tempfile.gettempdir(), "weft-bench-" + os.path.basename(os.path.normpath(model_dir)) + ".onnx")
    if not os.path.exists(onnx_path):
        class LastHiddenState(torch.nn.Module):
            # Keyword arguments only: BertModel.forward's positional order differs between transformers versions.
            def __init__(self, encoder):
                super().__init__()
                self.encoder = encoder

            def forward(self, input_ids, attention_mask):
                return self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

        encoder = LastHiddenState(model[0].auto_model.eval())
        dummy = tokenizer(["an example text"], return_tensors="pt")
        torch.onnx.export(encoder, (dummy["input_ids"], dummy["attention_mask"]), onnx_path,
                          input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
                          dynamic_axes={"input_ids": {0: "b", 1: "t"}, "attention_mask": {0: "b", 1: "t"},
                                        "last_hidden_state": {0: "b", 1: "t"}}, opset_version=17, dynamo=False)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])

    def ort_encode(xs, batch):
        order = sorted(range(len(xs)), key=lambda i: len(xs[i]))
        out = [None] * len(xs)
        for start in range(0, len(xs), batch):
            chunk = [xs[i] for i in order[start:start + batch]]
            enc = tokenizer(chunk, padding=True, truncation=True, max_length=max_length, return_tensors="np")
            hidden = session.run(None, {"input_ids": enc["input_ids"].astype(np.int64),
                                        "attention_mask": enc["attention_mask"].astype(np.int64)})[0]
            mask = enc["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(1) / np.maximum(mask.sum(1), 1e-9)
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            for k, i in enumerate(order[start:start + batch]):
                out[i] = pooled[k]
        return out

    for batch in (1, 32):
        results[f"onnxruntime_batch{batch}"] = timed(lambda xs: ort_encode(xs, batch))
except ImportError:
    pass
except Exception as error:  # the comparison still prints the other figures
    print(f"onnxruntime: skipped ({error})", file=sys.stderr)

print(f"\n{len(texts)} texts, {sum(lengths)} tokens, {threads} threads; same-run sgemm {sgemm:.1f} GFLOP/s")
print(f"{'engine':<34}{'texts/s':>10}{'GFLOP/s':>10}{'of sgemm':>10}{'Weft / it':>11}")
summary = {"sgemm_gflops": sgemm}
for batch in (1, 32):
    weft_rate = weft[f"batch{batch}_texts_per_s"]
    print(f"{f'weft batch {batch}':<34}{weft_rate:>10.1f}{weft[f'batch{batch}_gflops']:>10.1f}"
          f"{weft[f'batch{batch}_ratio']:>10.2f}{1:>11.2f}")
    summary[f"weft_batch{batch}_texts_per_s"] = weft_rate
    summary[f"weft_batch{batch}_ratio"] = weft[f"batch{batch}_ratio"]
    for engine in ("sentence_transformers", "onnxruntime"):
        key = f"{engine}_batch{batch}"
        if key not in results:
            continue
        rate = len(texts) / results[key]
        gflops = flops / results[key] / 1e9
        print(f"{f'{engine} batch {batch}':<34}{rate:>10.1f}{gflops:>10.1f}{gflops / sgemm:>10.2f}{weft_rate / rate:>11.2f}")
        summary[f"{key}_texts_per_s"] = round(rate, 2)
        summary[f"{key}_ratio"] = round(gflops / sgemm, 3)
        summary[f"weft_over_{key}"] = round(weft_rate / rate, 3)
print(json.dumps(summary, sort_keys=True))
PY

# The graph comparison (weft bench graph and a PyTorch LightGCN on the same pairs) in the same run;
# its JSON is the last line. WEFT_BENCH_GRAPH=0 skips it; WEFT_BENCH_GRAPH_ARGS passes options, e.g. a smaller graph.
if [ "${WEFT_BENCH_GRAPH:-1}" != 0 ]; then
    # shellcheck disable=SC2086
    Scripts/bench-graph-vs-pytorch.sh ${WEFT_BENCH_GRAPH_ARGS:-}
fi
