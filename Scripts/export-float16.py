#!/usr/bin/env python3
"""Copies a Weft model folder with its F32 weights narrowed to float16.

    python3 Scripts/export-float16.py SOURCE_MODEL_DIR DESTINATION_DIR

Used to ship models/weft-small and models/weft-small-products at half the size
(Weft widens F16 back to F32 when it loads a model). Standard library only.
Every F32 tensor becomes F16 with round-to-nearest-even (`struct` format 'e');
a value beyond float16's range (|x| > 65504) is an error naming the tensor,
never a silent infinity. Tensors of other dtypes are copied unchanged, and so is
the header's `__metadata__`. The other files of the folder (config.json,
pooling.json, spm.model, vocab.txt, ...) are copied as they are. The output is
written to a temporary file and renamed, so an interrupted run leaves no
half-written model. Prints the largest absolute rounding error over all tensors.
"""
import json
import os
import shutil
import struct
import sys


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        sys.exit(f"export-float16: {path}: too short for a safetensors file")
    (header_len,) = struct.unpack("<Q", raw[:8])
    if 8 + header_len > len(raw):
        sys.exit(f"export-float16: {path}: header length {header_len} runs past the end of the file")
    try:
        header = json.loads(raw[8:8 + header_len])
    except json.JSONDecodeError as error:
        sys.exit(f"export-float16: {path}: header is not JSON: {error}")
    return header, raw[8 + header_len:]


def narrow(name, payload):
    count = len(payload) // 4
    values = struct.unpack(f"<{count}f", payload)
    try:
        packed = struct.pack(f"<{count}e", *values)
    except (OverflowError, struct.error) as error:
        sys.exit(f"export-float16: tensor '{name}' has a value outside float16's range: {error}")
    back = struct.unpack(f"<{count}e", packed)
    worst = max((abs(a - b) for a, b in zip(values, back)), default=0.0)
    return packed, worst


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: export-float16.py SOURCE_MODEL_DIR DESTINATION_DIR")
    source, destination = sys.argv[1], sys.argv[2]
    weights = os.path.join(source, "model.safetensors")
    if not os.path.isfile(weights):
        sys.exit(f"export-float16: {weights}: no such file")
    header, data = read_safetensors(weights)
    os.makedirs(destination, exist_ok=True)
    out_header, chunks, offset, worst = {}, [], 0, 0.0
    for name in sorted(k for k in header if k != "__metadata__"):
        info = header[name]
        begin, end = info["data_offsets"]
        payload = data[begin:end]
        dtype = info["dtype"]
        if dtype == "F32":
            payload, error = narrow(name, payload)
            worst = max(worst, error)
            dtype = "F16"
        out_header[name] = {"dtype": dtype, "shape": info["shape"], "data_offsets": [offset, offset + len(payload)]}
        chunks.append(payload)
        offset += len(payload)
    if "__metadata__" in header:
        out_header["__metadata__"] = header["__metadata__"]
    text = json.dumps(out_header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    target = os.path.join(destination, "model.safetensors")
    temporary = target + ".tmp"
    with open(temporary, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, target)
    for entry in sorted(os.listdir(source)):
        path = os.path.join(source, entry)
        if entry != "model.safetensors" and os.path.isfile(path):
            shutil.copyfile(path, os.path.join(destination, entry))
    print(f"export-float16: {len(out_header) - ('__metadata__' in out_header)} tensors, "
          f"{os.path.getsize(weights)} -> {os.path.getsize(target)} bytes, largest rounding error {worst:.3g}")


if __name__ == "__main__":
    main()
