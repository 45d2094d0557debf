#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Random-weight Stable Diffusion checkpoints with the real tensor names and
shapes, as a single file (ldm names) and/or a diffusers folder. Standard
library only, so tests can build them at build time on any machine.

The weights are reproducible bit for bit from (seed, tensor name, shape): a
tensor's bytes are SHAKE-256("genstudio-sd:SEED:NAME:SHAPE") read one byte
per element, and byte b stands for u = (2b − 255)/255 scaled per tensor kind
(weights: uniform with std gain/√fan_in; norm weights 1 ± 0.1; biases and norm
biases ±0.05; token embeddings ±1, positions ±0.5), rounded once to a value
exactly representable in bf16 and f16. So an f32, f16 or bf16 file of one seed
holds the same numbers, and the diffusers folder holds the single file's
tensors under their diffusers names (SD 2's q/k/v are row thirds of
in_proj_weight).

  make_checkpoint.py --family sd1 --size full --dtype f16 --layout both --out /tmp/sd15
  (→ /tmp/sd15.safetensors and /tmp/sd15-diffusers/)"""
import argparse
import hashlib
import json
import math
import os
import shutil
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sd_arch as A  # noqa: E402

try:  # optional: the same bytes, faster (full-size checkpoints)
    import numpy as np
except ImportError:
    np = None
if os.environ.get("GS_SD_STDLIB_ONLY"):
    np = None

DTYPES = {"f32": "F32", "f16": "F16", "bf16": "BF16"}
ITEMSIZE = {"F32": 4, "F16": 2, "BF16": 2, "I64": 8}


def _bf16(v):
    bits = struct.unpack("<I", struct.pack("<f", v))[0]
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def _exact(v):
    """v rounded to a value that f32, f16 and bf16 all represent exactly."""
    h = struct.unpack("<e", struct.pack("<e", _bf16(v)))[0]
    assert _bf16(h) == h, v
    return h


def _encode(values, dtype):
    if dtype == "F32":
        return struct.pack(f"<{len(values)}f", *values)
    if dtype == "F16":
        return struct.pack(f"<{len(values)}e", *values)
    if dtype == "BF16":
        raw = struct.pack(f"<{len(values)}f", *[_bf16(v) for v in values])
        out = bytearray(len(values) * 2)
        out[0::2], out[1::2] = raw[2::4], raw[3::4]
        return bytes(out)
    raise ValueError(dtype)


def _table_values(init):
    u = [(2 * b - 255) / 255 for b in range(256)]
    kind = init[0]
    if kind == "w":
        a = init[2] * math.sqrt(3.0 / init[1])
        return [a * x for x in u]
    if kind == "nw":
        return [1 + 0.1 * x for x in u]
    if kind in ("b", "nb"):
        return [0.05 * x for x in u]
    if kind == "emb":
        return list(u)
    if kind == "pos":
        return [0.5 * x for x in u]
    raise ValueError(init)


_tables = {}


def _translation(init, dtype):
    """(the 256 encoded values, one after the other; one 256-byte translation
    table per byte of the element: byte b of the stream → byte k of the
    encoded value of b)."""
    key = (init, dtype)
    if key not in _tables:
        values = [_exact(v) for v in _table_values(init)]
        size = ITEMSIZE[dtype]
        enc = _encode(values, dtype)
        _tables[key] = (enc, [bytes(enc[b * size + k] for b in range(256)) for k in range(size)])
    return _tables[key]


def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def tensor_dtype(init, dtype):
    return {"ids": "I64", "sched": "F32"}.get(init[0], dtype)


def tensor_bytes(name, shape, init, dtype, seed, schedule=None):
    """The encoded bytes of one tensor (see the module comment)."""
    n = numel(shape)
    kind = init[0]
    if kind == "const":
        return _encode([_exact(init[1])] * n, dtype)
    if kind == "ids":
        return struct.pack(f"<{n}q", *range(n))
    if kind == "sched":
        return _encode((schedule or A.schedule_buffers())[init[1]], "F32")
    key = f"genstudio-sd:{seed}:{name}:{'x'.join(map(str, shape))}".encode()
    stream = hashlib.shake_256(key).digest(n)
    enc, tables = _translation(init, dtype)
    if np is not None:
        lut = np.frombuffer(enc, dtype=f"<u{len(tables)}")
        return memoryview(lut[np.frombuffer(stream, dtype=np.uint8)]).cast("B")
    out = bytearray(n * len(tables))
    for k, t in enumerate(tables):
        out[k::len(tables)] = stream.translate(t)
    return out


def write_safetensors(path, entries, metadata=None):
    """entries: (name, dtype, shape, producer) with producer() → bytes;
    written in name order, one tensor in memory at a time."""
    entries = sorted(entries, key=lambda e: e[0])
    header, offset = {}, 0
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    for name, dtype, shape, _ in entries:
        size = numel(shape) * ITEMSIZE[dtype]
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for name, dtype, shape, produce in entries:
            data = produce()
            assert len(data) == numel(shape) * ITEMSIZE[dtype], name
            f.write(data)
    os.replace(tmp, path)


def single_file_metadata(cfg, prediction, modelspec=True, license=None):
    meta = {}
    if modelspec:
        title = {"sd1": "Stable Diffusion 1.x", "sd2": "Stable Diffusion 2.x"}[cfg["family"]]
        meta.update({"modelspec.sai_model_spec": "1.0.0",
                     "modelspec.title": f"GenStudio random-weight {title} ({cfg['size']})",
                     "modelspec.prediction_type": "v" if prediction == "v" else "epsilon"})
        if license:
            meta["modelspec.license"] = license
    if cfg["size"] != "full":
        meta["genstudio.sd_arch"] = json.dumps(A.arch_metadata(cfg), sort_keys=True)
    return meta


def write_single(path, cfg, dtype="F16", seed=0, prediction="epsilon", extras=True, modelspec=True, license=None,
                 drop=(), reshape=None):
    """drop: names to leave out; reshape: {name: shape} (refusal fixtures)."""
    sched = A.schedule_buffers()
    entries = []
    for name, shape, init in A.single_file_tensors(cfg, extras):
        if name in drop:
            continue
        shape = (reshape or {}).get(name, shape)
        dt = tensor_dtype(init, dtype)
        entries.append((name, dt, shape,
                        lambda n=name, s=shape, i=init, d=dt: tensor_bytes(n, s, i, d, seed, sched)))
    write_safetensors(path, entries, single_file_metadata(cfg, prediction, modelspec, license))


def write_diffusers(folder, cfg, dtype="F16", seed=0, prediction="epsilon", tokenizer_dir=None):
    os.makedirs(folder, exist_ok=True)
    for rel, obj in A.diffusers_configs(cfg, prediction).items():
        path = os.path.join(folder, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            json.dump(obj, f, indent=2, sort_keys=True)
            f.write("\n")
    if tokenizer_dir:
        for n in ("vocab.json", "merges.txt"):
            shutil.copyfile(os.path.join(tokenizer_dir, n), os.path.join(folder, "tokenizer", n))
    parts = {c: [] for c in A.DIFFUSERS_WEIGHTS}
    for name, shape, init in A.single_file_tensors(cfg, extras=False):
        for comp, dname, rows, flat in A.to_diffusers(name, cfg):
            dt = tensor_dtype(init, dtype)
            dshape = list(shape)
            if flat:
                dshape = dshape[:2]
            if rows:
                dshape[0] = rows[1] - rows[0]

            def produce(n=name, s=shape, i=init, d=dt, r=rows):
                data = tensor_bytes(n, s, i, d, seed)
                if r:
                    row = numel(s[1:]) * ITEMSIZE[d]
                    data = data[r[0] * row:r[1] * row]
                return data
            parts[comp].append((dname, dt, dshape, produce))
    for comp, rel in A.DIFFUSERS_WEIGHTS.items():
        meta = {"format": "pt"}
        write_safetensors(os.path.join(folder, rel), parts[comp], meta)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--family", choices=["sd1", "sd2"], default="sd1")
    ap.add_argument("--size", choices=["tiny", "full"], default="full")
    ap.add_argument("--dtype", choices=list(DTYPES), default="f16")
    ap.add_argument("--inpaint", action="store_true", help="9-channel UNet input")
    ap.add_argument("--layout", choices=["single", "diffusers", "both"], default="single")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--prediction", choices=["epsilon", "v"], default="epsilon")
    ap.add_argument("--tokenizer-dir", help="folder with vocab.json + merges.txt to copy into tokenizer/")
    ap.add_argument("--no-extras", action="store_true",
                    help="leave out the schedule buffers and position_ids real single files carry")
    ap.add_argument("--no-modelspec", action="store_true", help="no modelspec.* metadata (as SD 1.5's own files)")
    ap.add_argument("--license", help="modelspec.license to write")
    ap.add_argument("--out", required=True,
                    help="single: the .safetensors; diffusers: the folder; both: OUT.safetensors + OUT-diffusers/")
    a = ap.parse_args()
    cfg = A.config(a.family, a.size, a.inpaint)
    dtype = DTYPES[a.dtype]
    stem = a.out[:-len(".safetensors")] if a.out.endswith(".safetensors") else a.out
    if a.layout in ("single", "both"):
        path = a.out if a.layout == "single" else stem + ".safetensors"
        write_single(path, cfg, dtype, a.seed, a.prediction, not a.no_extras, not a.no_modelspec, a.license)
        print(f"wrote {path}")
    if a.layout in ("diffusers", "both"):
        folder = a.out if a.layout == "diffusers" else stem + "-diffusers"
        write_diffusers(folder, cfg, dtype, a.seed, a.prediction, a.tokenizer_dir)
        print(f"wrote {folder}/")


if __name__ == "__main__":
    main()
