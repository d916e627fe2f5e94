"""Writes reference-bge.json: token ids and vectors of bge-small-en-v1.5 for
the texts of reference.json, computed by the model's ONNX export with ONNX
Runtime (CPU) and its own tokenizer.json, pooled as the model card says
([CLS], unit length).

    python3 -m venv /tmp/ref && /tmp/ref/bin/pip install onnxruntime==1.23.2 tokenizers==0.22.1 numpy
    /tmp/ref/bin/python reference-bge.py MODEL_DIR < reference.json > reference-bge.json

MODEL_DIR is the directory made by bert.Ensure for bert.BGESmall (or the
jar's files: model.onnx is bge-small-en-v1.5.onnx, tokenizer.json is
bge-small-en-v1.5-tokenizer.json).
"""
import json
import os
import sys

import numpy as np
import onnxruntime
from tokenizers import Tokenizer

MAX_TOKENS = 512


def main():
    model_dir = sys.argv[1]
    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tok.enable_truncation(MAX_TOKENS)
    session = onnxruntime.InferenceSession(os.path.join(model_dir, "model.onnx"), providers=["CPUExecutionProvider"])
    out = []
    for entry in json.load(sys.stdin):
        text = entry["text"]
        ids = tok.encode(text).ids
        x = np.array([ids], dtype=np.int64)
        hidden = session.run(None, {"input_ids": x, "attention_mask": np.ones_like(x), "token_type_ids": np.zeros_like(x)})[0]
        vec = hidden[0, 0] / np.linalg.norm(hidden[0, 0])
        out.append({"text": text, "ids": ids, "vector": [round(float(v), 7) for v in vec]})
    json.dump(out, sys.stdout, ensure_ascii=False, indent=0)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
