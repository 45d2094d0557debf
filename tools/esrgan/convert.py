#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Converts UpscalerJS's ESRGAN packages (TensorFlow.js layers models) to
safetensors the GenStudio engine runs, and writes NumPy reference fixtures.

    tools/esrgan/convert.py slim medium            # -> data/models/esrgan/
    tools/esrgan/convert.py thick --scales 4       # on demand, not committed
    tools/esrgan/convert.py slim --package DIR_OR_TGZ   # no network
    tools/esrgan/convert.py slim medium --fixtures tests/data/esrgan

The network is used only here (`npm pack`), never at run time.

Output: esrgan-<variant>-x<scale>.safetensors with
  <layer>.weight  fp16, [O, I, kh, kw] (torch Conv2d layout; Keras stores
                  [kh, kw, I, O])
  <layer>.bias    fp32, [O]
and __metadata__: licence, copyright, source, package, version, scale,
input_range and `graph`, a compact JSON of the layers in topological order:
  {"format": "genstudio-esrgan-graph/1", "scale": s, "input": name,
   "output": name, "input_range": 255, "layers": [
     {"name", "op": "input"},
     {"name", "op": "conv2d", "in": [a], "kernel": k, "filters": o,
      "channels": i, "padding": "same"|"valid", "activation": "linear"|"relu"},
     {"name", "op": "relu", "in": [a]},
     {"name", "op": "concat", "in": [a, b, ...]},      # channel axis
     {"name", "op": "add", "in": [a, b, ...]},
     {"name", "op": "upsample_nearest", "in": [a], "size": s},
     {"name", "op": "pixel_shuffle", "in": [a], "size": s},  # channel c·s²+py·s+px
     {"name", "op": "scale", "in": [a], "factor": f}]}

Slim and medium are RDNs working in 0..255; thick is an RRDN working in 0..1,
with two custom layers its package registers with TensorFlow.js:
MultiplyBeta (x · β, β = 0.2, a residual scaling) and PixelShuffle<s>x
(tf.depthToSpace, channel (py·s+px)·C+c; the converter reorders the conv
before it to the order above). The ranges are read from the package's own
model definition (dist/cjs, run by node), not assumed.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile

import numpy as np

VERSION = "1.0.0"
VARIANTS = ("slim", "medium", "thick")
SCALES = (2, 3, 4, 8)
# Pixels of edge replication around the image before the network, cropped
# after: the engine does the same (GS_UPSCALER_EDGE_PAD), so that borders are
# not computed against zero padding.
EDGE_PAD = 8
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class ConvertError(Exception):
    pass


# ---- reading the package ---------------------------------------------------

def fetch_package(variant, workdir):
    """npm pack into workdir; returns the unpacked package folder."""
    name = f"@upscalerjs/esrgan-{variant}@{VERSION}"
    try:
        out = subprocess.run(["npm", "pack", name, "--silent"], cwd=workdir, check=True,
                             capture_output=True, text=True).stdout.strip().splitlines()
    except FileNotFoundError:
        raise ConvertError("npm is not installed (apt-get install npm), or pass --package")
    except subprocess.CalledProcessError as e:
        raise ConvertError(f"npm pack {name} failed: {e.stderr.strip()[-500:]}")
    return unpack(os.path.join(workdir, out[-1]), workdir)


def unpack(path, workdir):
    if os.path.isdir(path):
        return path
    try:
        with tarfile.open(path) as tar:
            for m in tar.getmembers():
                if m.name.startswith("/") or ".." in m.name.split("/"):
                    raise ConvertError(f"{path}: unsafe path {m.name!r} in the archive")
            tar.extractall(workdir)
    except (tarfile.TarError, OSError) as e:
        raise ConvertError(f"{path}: not a readable npm package ({e})")
    return os.path.join(workdir, "package")


def package_info(pkg):
    try:
        with open(os.path.join(pkg, "package.json")) as f:
            meta = json.load(f)
    except (OSError, ValueError) as e:
        raise ConvertError(f"{pkg}/package.json: {e}")
    copyright_line = ""
    try:
        with open(os.path.join(pkg, "LICENSE")) as f:
            for line in f:
                if line.strip().lower().startswith("copyright"):
                    copyright_line = line.strip()
                    break
    except OSError:
        pass
    if not copyright_line:
        raise ConvertError(f"{pkg}/LICENSE: no copyright line found")
    return meta.get("name", "?"), meta.get("version", "?"), meta.get("license", "?"), copyright_line


def model_definition(pkg, scale):
    """inputRange, outputRange and meta as UpscalerJS uses them: the package's
    own CommonJS model definition, evaluated by node (it needs no modules)."""
    try:
        with open(os.path.join(pkg, "package.json")) as f:
            variant = json.load(f)["name"].split("/")[-1]
    except (OSError, ValueError, KeyError, AttributeError) as e:
        raise ConvertError(f"{pkg}/package.json: no package name ({e})")
    path = os.path.join(pkg, "dist", "cjs", "models", variant, "src", f"x{scale}", "cjs.js")
    if not os.path.isfile(path):
        raise ConvertError(f"{path}: the package's model definition is missing")
    script = ("const d = require(process.argv[1]); process.stdout.write(JSON.stringify("
              "{inputRange: d.inputRange, outputRange: d.outputRange, meta: d.meta}))")
    try:
        out = subprocess.run(["node", "-e", script, os.path.abspath(path)], check=True, capture_output=True,
                             text=True, timeout=60).stdout
        d = json.loads(out)
    except FileNotFoundError:
        raise ConvertError("node is not installed (apt-get install nodejs): it reads the package's model definition")
    except subprocess.CalledProcessError as e:
        raise ConvertError(f"{path}: node could not load the model definition: {e.stderr.strip()[-300:]}")
    except (subprocess.TimeoutExpired, ValueError) as e:
        raise ConvertError(f"{path}: no model definition from node ({e})")
    ranges = (d.get("inputRange"), d.get("outputRange"))
    if ranges[0] != ranges[1] or ranges[0] not in ([0, 1], [0, 255]):
        raise ConvertError(f"{path}: input range {ranges[0]} and output range {ranges[1]}; "
                           "[0, 1] or [0, 255] on both sides expected")
    return ranges[0][1], (d.get("meta") or {}).get("architecture", "?")


def read_model(model_dir):
    """model.json + shards -> (graph dict, {weight name: float32 array})."""
    path = os.path.join(model_dir, "model.json")
    try:
        with open(path) as f:
            model = json.load(f)
    except OSError as e:
        raise ConvertError(f"{path}: cannot read ({e.strerror})")
    except ValueError as e:
        raise ConvertError(f"{path}: not valid JSON ({e})")
    try:
        if model.get("format") != "layers-model":
            raise ConvertError(f"{path}: format {model.get('format')!r}, expected 'layers-model'")
        config = model["modelTopology"]["model_config"]["config"]
        layers = config["layers"]
        manifest = model["weightsManifest"]
    except (KeyError, TypeError, AttributeError) as e:
        raise ConvertError(f"{path}: missing {e} (not a TensorFlow.js layers model)")
    weights = {}
    for group in manifest:
        blob = b""
        for shard in group["paths"]:
            sp = os.path.join(model_dir, shard)
            try:
                with open(sp, "rb") as f:
                    blob += f.read()
            except OSError as e:
                raise ConvertError(f"{sp}: cannot read weight shard ({e.strerror})")
        offset = 0
        for w in group["weights"]:
            if w.get("dtype", "float32") != "float32" or "quantization" in w:
                raise ConvertError(f"{path}: weight {w['name']} is {w.get('dtype')}"
                                   f"{' quantised' if 'quantization' in w else ''}, only float32 is supported")
            try:
                shape = [int(d) for d in w["shape"]]
            except (KeyError, TypeError, ValueError):
                raise ConvertError(f"{path}: weight {w.get('name')}: shape {w.get('shape')!r} is not a list of sizes")
            n = int(np.prod(shape)) if shape else 1
            if offset + 4 * n > len(blob):
                raise ConvertError(f"{path}: shards of {group['paths']} hold {len(blob)} bytes, "
                                   f"weight {w['name']} needs bytes {offset}..{offset + 4 * n}")
            weights[w["name"]] = np.frombuffer(blob, "<f4", n, offset).reshape(shape).copy()
            offset += 4 * n
        if offset != len(blob):
            raise ConvertError(f"{path}: shards of {group['paths']} hold {len(blob)} bytes, "
                               f"the manifest describes {offset}")
    graph = build_graph(path, config, layers, weights)
    for name, arr in weights.items():
        if not np.all(np.isfinite(arr)):
            raise ConvertError(f"{path}: weight {name} has NaN or infinite values")
    return graph, weights


def build_graph(path, config, layers, weights):
    by_name = {}
    for layer in layers:
        by_name[layer["name"]] = layer
    out = []
    done = set()

    def inputs_of(layer):
        nodes = layer.get("inbound_nodes") or []
        if len(nodes) > 1:
            raise ConvertError(f"{path}: layer {layer['name']} is shared, not supported")
        return [n[0] for n in nodes[0]] if nodes else []

    def visit(name, stack=()):
        if name in done:
            return
        if name in stack:
            raise ConvertError(f"{path}: the graph has a cycle through {name}")
        if name not in by_name:
            raise ConvertError(f"{path}: unknown layer {name}")
        layer = by_name[name]
        for i in inputs_of(layer):
            visit(i, stack + (name,))
        out.append(convert_layer(path, layer, inputs_of(layer), weights))
        done.add(name)

    try:
        inputs = [i[0] for i in config["input_layers"]]
        outputs = [o[0] for o in config["output_layers"]]
    except (KeyError, TypeError, IndexError) as e:
        raise ConvertError(f"{path}: missing input/output layers ({e})")
    if len(inputs) != 1 or len(outputs) != 1:
        raise ConvertError(f"{path}: expected one input and one output")
    for layer in layers:
        visit(layer["name"])
    check_channels(path, out, weights)
    for shuffle in (l for l in out if l["op"] == "pixel_shuffle"):
        reorder_for_shuffle(path, out, shuffle, weights)
    return {"format": "genstudio-esrgan-graph/1", "input": inputs[0], "output": outputs[0], "layers": out}


def check_channels(path, layers, weights):
    """Each layer's input channels against what feeds it."""
    channels = {}
    for l in layers:
        ins = [channels[i] for i in l.get("in", [])]
        op, name = l["op"], l["name"]
        if op == "input":
            n = 3
        elif op == "conv2d":
            if ins[0] != l["channels"]:
                k = list(weights[name + "/kernel"].shape)
                raise ConvertError(f"{path}: conv {name}: kernel shape {k}, but its input has {ins[0]} channels "
                                   f"(expected {k[:2] + [ins[0], k[3]]})")
            n = l["filters"]
        elif op == "concat":
            n = sum(ins)
        elif op == "add" and len(set(ins)) != 1:
            raise ConvertError(f"{path}: add {name}: inputs of {ins} channels")
        elif op == "pixel_shuffle":
            if ins[0] % (l["size"] ** 2):
                raise ConvertError(f"{path}: pixel shuffle {name}: {ins[0]} channels do not divide by {l['size']}²")
            n = ins[0] // l["size"] ** 2
        else:
            n = ins[0]
        channels[name] = n
    return channels


def reorder_for_shuffle(path, layers, shuffle, weights):
    """tf.depthToSpace reads channel (py·s+px)·C+c for colour c at phase
    (py, px); the engine's depth-to-space reads c·s²+py·s+px. Reorder the
    outputs of the conv that feeds it alone, so both mean the same."""
    src = shuffle["in"][0]
    conv = next((l for l in layers if l["name"] == src), None)
    readers = [l for l in layers if src in l.get("in", [])]
    if conv is None or conv["op"] != "conv2d" or len(readers) != 1:
        raise ConvertError(f"{path}: pixel shuffle {shuffle['name']} must read a conv that nothing else reads")
    s, n = shuffle["size"], conv["filters"]
    if n % (s * s):
        raise ConvertError(f"{path}: pixel shuffle {shuffle['name']}: {n} channels do not divide by {s}²")
    c = n // (s * s)
    # engine channel e = (colour·s + py)·s + px  <-  TF channel (py·s + px)·c + colour
    order = np.arange(n).reshape(s, s, c).transpose(2, 0, 1).reshape(-1)
    weights[src + "/kernel"] = weights[src + "/kernel"][..., order]
    if conv["bias"]:
        weights[src + "/bias"] = weights[src + "/bias"][order]


def convert_layer(path, layer, inputs, weights):
    try:
        return convert_layer_config(path, layer, inputs, weights)
    except (KeyError, TypeError, ValueError, IndexError) as e:
        raise ConvertError(f"{path}: layer {layer.get('name')} ({layer.get('class_name')}): "
                           f"malformed config ({type(e).__name__} {e})")


def convert_layer_config(path, layer, inputs, weights):
    kind, c, name = layer["class_name"], layer["config"], layer["name"]
    if kind == "InputLayer":
        shape = c.get("batch_input_shape")
        if shape and shape[-1] != 3:
            raise ConvertError(f"{path}: input {name} has {shape[-1]} channels, expected 3")
        return {"name": name, "op": "input"}
    if c.get("data_format", "channels_last") != "channels_last":
        raise ConvertError(f"{path}: layer {name}: data_format {c['data_format']} not supported")
    if kind == "Conv2D":
        k = c["kernel_size"]
        if k[0] != k[1] or k[0] % 2 != 1 or c["strides"] != [1, 1] or c.get("dilation_rate", [1, 1]) != [1, 1] \
                or c.get("groups", 1) != 1:
            raise ConvertError(f"{path}: conv {name}: kernel {k}, strides {c['strides']} not supported")
        if c["padding"] not in ("same", "valid") or (c["padding"] == "valid" and k[0] != 1):
            raise ConvertError(f"{path}: conv {name}: padding {c['padding']} with kernel {k} not supported")
        if c.get("activation") not in ("linear", "relu"):
            raise ConvertError(f"{path}: conv {name}: activation {c.get('activation')} not supported")
        kern = weights.get(f"{name}/kernel")
        if kern is None or (c.get("use_bias", True) and f"{name}/bias" not in weights):
            raise ConvertError(f"{path}: conv {name}: weights missing from the manifest")
        if kern.shape[0] != k[0] or kern.shape[1] != k[1] or kern.shape[3] != c["filters"]:
            raise ConvertError(f"{path}: conv {name}: kernel shape {list(kern.shape)} does not match the config")
        return {"name": name, "op": "conv2d", "in": inputs, "kernel": k[0], "filters": c["filters"],
                "channels": int(kern.shape[2]), "padding": c["padding"], "activation": c.get("activation"),
                "bias": bool(c.get("use_bias", True))}
    if kind == "Activation":
        if c["activation"] != "relu":
            raise ConvertError(f"{path}: activation {c['activation']} ({name}) not supported")
        return {"name": name, "op": "relu", "in": inputs}
    if kind == "ReLU":
        return {"name": name, "op": "relu", "in": inputs}
    if kind == "Concatenate":
        if c.get("axis", -1) not in (-1, 3):
            raise ConvertError(f"{path}: concat {name} on axis {c.get('axis')} not supported")
        return {"name": name, "op": "concat", "in": inputs}
    if kind == "Add":
        return {"name": name, "op": "add", "in": inputs}
    if kind == "MultiplyBeta":   # UpscalerJS's residual scaling: x · beta
        beta = c.get("beta")
        if not isinstance(beta, (int, float)) or not np.isfinite(beta):
            raise ConvertError(f"{path}: MultiplyBeta {name}: no numeric beta in its config")
        return {"name": name, "op": "scale", "in": inputs, "factor": float(beta)}
    shuffle = re.fullmatch(r"PixelShuffle(\d+)x", kind)
    if shuffle:                  # UpscalerJS's tf.depthToSpace(x, s, "NHWC")
        size = int(shuffle.group(1))
        if c.get("scale", size) != size or not 2 <= size <= 16:
            raise ConvertError(f"{path}: {kind} {name}: scale {c.get('scale')} does not match its class")
        return {"name": name, "op": "pixel_shuffle", "in": inputs, "size": size}
    if kind == "UpSampling2D":
        size = c["size"]
        if size[0] != size[1] or c.get("interpolation", "nearest") != "nearest":
            raise ConvertError(f"{path}: upsampling {name}: size {size} {c.get('interpolation')} not supported")
        return {"name": name, "op": "upsample_nearest", "in": inputs, "size": size[0]}
    raise ConvertError(f"{path}: layer {name}: {kind} not supported")


# ---- NumPy reference (float32, NHWC, as Keras computes) ---------------------

def conv2d_nhwc(x, kernel, bias, padding):
    kh = kernel.shape[0]
    p = kh // 2 if padding == "same" else 0
    h, w = x.shape[0], x.shape[1]
    xp = np.pad(x, ((p, p), (p, p), (0, 0)))
    ho, wo = h + 2 * p - kh + 1, w + 2 * p - kh + 1
    out = np.zeros((ho, wo, kernel.shape[3]), np.float32)
    for ky in range(kh):
        for kx in range(kh):
            out += xp[ky:ky + ho, kx:kx + wo, :] @ kernel[ky, kx]
    if bias is not None:
        out += bias
    return out


def reference(graph, params, image):
    """image [H, W, 3] in the model's input range -> [sH, sW, 3], from the
    graph description and the weights as stored (fp16 kernels)."""
    values = {}
    for layer in graph["layers"]:
        op, name = layer["op"], layer["name"]
        xs = [values[i] for i in layer.get("in", [])]
        if op == "input":
            y = image.astype(np.float32)
        elif op == "conv2d":
            k = params[name + ".weight"].astype(np.float32).transpose(2, 3, 1, 0)   # -> [kh, kw, I, O]
            b = params.get(name + ".bias")
            y = conv2d_nhwc(xs[0], k, b, layer["padding"])
            if layer["activation"] == "relu":
                y = np.maximum(y, 0)
        elif op == "relu":
            y = np.maximum(xs[0], 0)
        elif op == "concat":
            y = np.concatenate(xs, axis=2)
        elif op == "add":
            y = xs[0].copy()
            for t in xs[1:]:
                y += t
        elif op == "upsample_nearest":
            s = layer["size"]
            y = xs[0].repeat(s, axis=0).repeat(s, axis=1)
        elif op == "pixel_shuffle":   # channel (c·s + py)·s + px -> pixel (y·s + py, x·s + px), colour c
            s = layer["size"]
            h, w, n = xs[0].shape
            y = xs[0].reshape(h, w, n // (s * s), s, s).transpose(0, 3, 1, 4, 2).reshape(h * s, w * s, n // (s * s))
        elif op == "scale":
            y = xs[0] * np.float32(layer["factor"])
        values[name] = y
    return values[graph["output"]]


def reference_padded(graph, params, image):
    """What gs_upscaler_run computes: the reference on the image extended by
    EDGE_PAD pixels of edge replication, the extension's output cropped."""
    p, s = EDGE_PAD, graph["scale"]
    out = reference(graph, params, np.pad(image, ((p, p), (p, p), (0, 0)), mode="edge"))
    return out[p * s:out.shape[0] - p * s, p * s:out.shape[1] - p * s]


# ---- writing ----------------------------------------------------------------

def to_params(graph, weights):
    params = {}
    for layer in graph["layers"]:
        if layer["op"] == "conv2d":
            name = layer["name"]
            params[name + ".weight"] = weights[name + "/kernel"].transpose(3, 2, 0, 1).astype(np.float16)
            if layer["bias"]:
                params[name + ".bias"] = weights[name + "/bias"].astype(np.float32)
    return params


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    offset = 0
    blobs = []
    for name, arr in tensors.items():
        arr = np.ascontiguousarray(arr)
        dtype = {np.float16: "F16", np.float32: "F32"}[arr.dtype.type]
        data = arr.astype(arr.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        dt = {"F16": "<f2", "F32": "<f4"}[t["dtype"]]
        a, b = t["data_offsets"]
        out[name] = np.frombuffer(data[a:b], dt).reshape(t["shape"])
    return header.get("__metadata__", {}), out


def write_fixture(path, graph, params, seed):
    """A random 16×16 input, an odd-sized 11×7 one and a 1×1, through the reference.
    Inputs and outputs are RGB in [0, 1], as gs_upscaler_run takes and gives
    them (× the model's range in, ÷ it and clamped out), edge padding included."""
    rng = np.random.default_rng(seed)
    tensors = {}
    for tag, (h, w) in (("square", (16, 16)), ("odd", (11, 7)), ("one", (1, 1))):
        x = rng.random((h, w, 3), dtype=np.float32)
        r = graph["input_range"]
        y = reference_padded(graph, params, x * r) / r
        tensors[f"{tag}.input"] = x
        tensors[f"{tag}.output"] = np.clip(y, 0.0, 1.0).astype(np.float32)
    write_safetensors(path, tensors, {"scale": str(graph["scale"]), "edge_pad": str(EDGE_PAD),
                                      "note": "NumPy reference of tools/esrgan/convert.py"})


def convert(variant, scales, out_dir, fixtures_dir, package, check_upsample):
    workdir = tempfile.mkdtemp(prefix="esrgan-")
    try:
        pkg = unpack(package, workdir) if package else fetch_package(variant, workdir)
        name, version, licence, copyright_line = package_info(pkg)
        for s in scales:
            model_dir = os.path.join(pkg, "models", f"x{s}")
            value_range, architecture = model_definition(pkg, s)
            graph, weights = read_model(model_dir)
            graph["scale"] = s
            graph["input_range"] = value_range
            params = to_params(graph, weights)
            if check_upsample:
                check_tail(graph, params, s)
            meta = {
                "licence": licence,
                "copyright": copyright_line,
                "source": f"npm {name}@{version}, models/x{s}/model.json (TensorFlow.js layers, float32)",
                "package": name,
                "version": version,
                "scale": str(s),
                "architecture": architecture,
                "converter": "tools/esrgan/convert.py",
                "layout": "conv weight [O,I,kh,kw] fp16, bias [O] fp32; activations NCHW",
                "graph": json.dumps(graph, separators=(",", ":")),
            }
            os.makedirs(out_dir, exist_ok=True)
            path = os.path.join(out_dir, f"esrgan-{variant}-x{s}.safetensors")
            write_safetensors(path, params, meta)
            size = os.path.getsize(path)
            print(f"{path}: {len(params)} tensors, {size / 1e6:.2f} MB")
            if fixtures_dir:
                os.makedirs(fixtures_dir, exist_ok=True)
                seed = int(hashlib.sha256(f"{variant}{s}".encode()).hexdigest()[:8], 16)
                fx = os.path.join(fixtures_dir, f"esrgan-{variant}-x{s}.safetensors")
                write_fixture(fx, graph, params, seed)
                print(f"{fx}: fixtures")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def check_tail(graph, params, s):
    """What the 3·s² channels before UpSampling2D mean: the graph says
    nearest upsampling of all of them, then a 3×3 conv back to 3. Check on
    a smooth image that this upscales (output close to the input's nearest
    ×s) and that reading it as depth-to-space instead would not fit the
    SR conv's weights at all."""
    h = w = 24
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.stack([np.sin(yy / 5) , np.cos(xx / 7), np.sin((xx + yy) / 9)], axis=2) * 100 + 128
    r = graph["input_range"] / 255
    out = reference(graph, params, img * r) / r
    up = img.repeat(s, 0).repeat(s, 1)
    err = np.sqrt(np.mean((out - up) ** 2))
    sr = [l for l in graph["layers"] if l["op"] in ("upsample_nearest", "pixel_shuffle")]
    after = [l for l in graph["layers"] if sr and sr[0]["name"] in l.get("in", [])]
    print(f"  x{s}: tail {sr[0]['name'] if sr else '-'} -> {after[0]['name'] if after else '-'} "
          f"(conv {after[0]['channels']}→{after[0]['filters']}); RMS vs nearest ×{s} on a smooth image: {err:.2f}/255")
    if err > 20:
        raise ConvertError(f"x{s}: the reference does not upscale a smooth image (RMS {err:.1f}); tail misread?")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("variants", nargs="+", choices=VARIANTS)
    ap.add_argument("--scales", default="2,4,8", help="comma-separated, of 2,3,4,8 (default 2,4,8)")
    ap.add_argument("--out", default=os.path.join(ROOT, "data", "models", "esrgan"))
    ap.add_argument("--fixtures", help="also write NumPy reference fixtures into this folder")
    ap.add_argument("--package", help="an unpacked package folder or .tgz instead of npm pack (one variant)")
    ap.add_argument("--check-tail", action="store_true", help="check the upsampling tail on a smooth image")
    args = ap.parse_args()
    try:
        scales = [int(s) for s in args.scales.split(",")]
    except ValueError:
        ap.error("--scales: comma-separated integers")
    if any(s not in SCALES for s in scales):
        ap.error(f"--scales: each of {SCALES}")
    if args.package and len(args.variants) != 1:
        ap.error("--package goes with one variant")
    try:
        for v in args.variants:
            convert(v, scales, args.out, args.fixtures, args.package, args.check_tail)
    except ConvertError as e:
        print(f"convert.py: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
