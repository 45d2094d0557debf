#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""tools/esrgan/convert.py on damaged packages: each must exit non-zero with
a message naming the problem, and write no model. The packages are made
here from a small synthetic one (an UpscalerJS-shaped npm package: a Keras
layers model.json, one weight shard, LICENSE, the CommonJS model
definition), which must itself convert.

With GENSTUDIO_CLI too, a small synthetic model shaped like thick (an RRDN:
MultiplyBeta, PixelShuffle2x from tf.depthToSpace, a conv after it at the
high resolution, values in 0..1) is converted and run by
`genstudio-cli upscale` on a 200×120 image (2 tiles) against the
converter's NumPy reference: thick's ops without thick's 28 MB. The output
(400×240) stays under 256² so that it carries provenance in metadata only:
a watermark would change its pixels.

    test-esrgan-convert.py CONVERT_PY [GENSTUDIO_CLI]
"""
import importlib.util
import copy
import json
import os
import subprocess
import sys
import tarfile
import tempfile

import numpy as np

NAME = "esrgan-slim"   # the converter's variant names; the content is synthetic


def conv(name, inbound, kernel, filters, activation="linear"):
    return {"class_name": "Conv2D", "name": name, "inbound_nodes": [[[inbound, 0, 0, {}]]],
            "config": {"name": name, "filters": filters, "kernel_size": [kernel, kernel], "strides": [1, 1],
                       "padding": "same", "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1,
                       "activation": activation, "use_bias": True}}


def base_model():
    """Input → 3×3 conv to 12 → nearest ×2 → 3×3 conv to 3: an RDN's tail."""
    layers = [
        {"class_name": "InputLayer", "name": "LR", "inbound_nodes": [],
         "config": {"name": "LR", "batch_input_shape": [None, None, None, 3], "dtype": "float32"}},
        conv("UPN3", "LR", 3, 12),
        {"class_name": "UpSampling2D", "name": "UP", "inbound_nodes": [[["UPN3", 0, 0, {}]]],
         "config": {"name": "UP", "size": [2, 2], "data_format": "channels_last", "interpolation": "nearest"}},
        conv("SR", "UP", 3, 3),
    ]
    weights = [("UPN3/kernel", [3, 3, 3, 12]), ("UPN3/bias", [12]), ("SR/kernel", [3, 3, 12, 3]), ("SR/bias", [3])]
    return {
        "format": "layers-model",
        "modelTopology": {"model_config": {"class_name": "Functional", "config": {
            "name": "model", "layers": layers, "input_layers": [["LR", 0, 0]], "output_layers": [["SR", 0, 0]]}}},
        "weightsManifest": [{"paths": ["group1-shard1of1.bin"],
                             "weights": [{"name": n, "shape": s, "dtype": "float32"} for n, s in weights]}],
    }


def weight_bytes(model):
    rng = np.random.default_rng(5)
    blob = b""
    for w in model["weightsManifest"][0]["weights"]:
        blob += (rng.standard_normal(int(np.prod(w["shape"]))) * 0.1).astype("<f4").tobytes()
    return blob


def write_package(root, model=None, shard=None, license_text="MIT License\n\nCopyright (c) 2022 Someone\n",
                  definition="{inputRange: [0, 255], outputRange: [0, 255], meta: {architecture: 'rdn'}}"):
    model = model if model is not None else base_model()
    pkg = os.path.join(root, "package")
    mdir = os.path.join(pkg, "models", "x2")
    os.makedirs(mdir)
    with open(os.path.join(pkg, "package.json"), "w") as f:
        json.dump({"name": f"@upscalerjs/{NAME}", "version": "1.0.0", "license": "MIT"}, f)
    if license_text is not None:
        with open(os.path.join(pkg, "LICENSE"), "w") as f:
            f.write(license_text)
    if definition is not None:
        ddir = os.path.join(pkg, "dist", "cjs", "models", NAME, "src", "x2")
        os.makedirs(ddir)
        with open(os.path.join(ddir, "cjs.js"), "w") as f:
            f.write(f"module.exports = {definition};\n")
    with open(os.path.join(mdir, "model.json"), "w") as f:
        f.write(model if isinstance(model, str) else json.dumps(model))
    if shard is not None:
        with open(os.path.join(mdir, "group1-shard1of1.bin"), "wb") as f:
            f.write(shard)
    return pkg


def layer(model, name):
    return next(l for l in model["modelTopology"]["model_config"]["config"]["layers"] if l["name"] == name)


def manifest(model):
    return model["weightsManifest"][0]["weights"]


def damaged():
    """(what, expected words in the message, package maker(root) → path)."""
    good = base_model()
    blob = weight_bytes(good)

    def edit(fn, shard=blob):
        def make(root):
            m = copy.deepcopy(good)
            fn(m)
            return write_package(root, m, shard)
        return make

    def with_tar_escape(root):
        pkg = write_package(os.path.join(root, "src"), good, blob)
        path = os.path.join(root, "evil.tgz")
        with tarfile.open(path, "w:gz") as tar:
            tar.add(pkg, arcname="package")
            tar.add(os.path.join(pkg, "LICENSE"), arcname="../escape")
        return path

    def kernel_nan(root):
        b = bytearray(blob)
        b[0:4] = np.array([np.nan], "<f4").tobytes()
        return write_package(root, good, bytes(b))

    return [
        ("truncated shard", ["group1-shard1of1.bin", "needs bytes"], lambda r: write_package(r, good, blob[:-40])),
        ("shard longer than the manifest", ["manifest describes"], lambda r: write_package(r, good, blob + b"\0" * 8)),
        ("missing shard", ["cannot read weight shard"], lambda r: write_package(r, good, None)),
        ("wrong dtype", ["int32", "only float32"], edit(lambda m: manifest(m)[0].update(dtype="int32"))),
        ("quantised weights", ["only float32"],
         edit(lambda m: manifest(m)[0].update(quantization={"dtype": "uint8", "scale": 1, "min": 0}))),
        ("missing weight", ["SR", "weights missing"],
         edit(lambda m: manifest(m).pop(), blob[:-12])),
        ("bad JSON", ["model.json", "not valid JSON"], lambda r: write_package(r, '{"format": "layers-model",', blob)),
        ("missing model.json", ["model.json", "cannot read"],
         lambda r: (lambda p: (os.remove(os.path.join(p, "models", "x2", "model.json")), p)[1])(
             write_package(r, good, blob))),
        ("graph model, not layers", ["graph-model", "layers-model"], edit(lambda m: m.update(format="graph-model"))),
        ("no topology", ["modelTopology", "not a TensorFlow.js layers model"], edit(lambda m: m.pop("modelTopology"))),
        ("unknown layer class", ["UP", "BatchNormalization", "not supported"],
         edit(lambda m: layer(m, "UP").update(class_name="BatchNormalization"))),
        ("kernel shape mismatch", ["UPN3", "does not match"],
         edit(lambda m: layer(m, "UPN3")["config"].update(filters=10))),
        ("channels mismatch", ["SR", "shape", "[3, 3, 12, 3]", "[3, 3, 10, 3]"],
         edit(lambda m: manifest(m)[2].update(shape=[3, 3, 10, 3]), blob[:-4 * 3 * 9 * 2 - 12] + blob[-12:])),
        ("malformed shape", ["SR/bias", "shape"], edit(lambda m: manifest(m)[3].update(shape="three"))),
        ("reads an unknown layer", ["unknown layer", "NOPE"],
         edit(lambda m: layer(m, "SR").update(inbound_nodes=[[["NOPE", 0, 0, {}]]]))),
        ("a cycle", ["cycle"], edit(lambda m: layer(m, "UPN3").update(inbound_nodes=[[["SR", 0, 0, {}]]]))),
        ("strided conv", ["UPN3", "strides"], edit(lambda m: layer(m, "UPN3")["config"].update(strides=[2, 2]))),
        ("missing kernel_size", ["UPN3", "kernel_size"], edit(lambda m: layer(m, "UPN3")["config"].pop("kernel_size"))),
        ("4-channel input", ["LR", "4 channels"],
         edit(lambda m: layer(m, "LR")["config"].update(batch_input_shape=[None, None, None, 4]))),
        ("pixel shuffle of the wrong scale", ["PixelShuffle2x", "does not match"],
         edit(lambda m: layer(m, "UP").update(class_name="PixelShuffle2x", config={"name": "UP", "scale": 4}))),
        ("NaN weight", ["UPN3/kernel", "NaN"], kernel_nan),
        ("no copyright in LICENSE", ["LICENSE", "copyright"], lambda r: write_package(r, good, blob, "MIT\n")),
        ("no model definition", ["cjs.js", "model definition"],
         lambda r: write_package(r, good, blob, definition=None)),
        ("input and output ranges differ", ["[0, 255]", "[0, 1]"],
         lambda r: write_package(r, good, blob, definition="{inputRange: [0, 255], outputRange: [0, 1], meta: {}}")),
        ("archive escaping its folder", ["unsafe path", "../escape"], with_tar_escape),
        ("not an archive", ["not a readable npm package"],
         lambda r: (open(os.path.join(r, "x.tgz"), "wb").write(b"garbage" * 10), os.path.join(r, "x.tgz"))[1]),
    ]


def rrdn_like():
    """A → 1×1 → ×β, added to A → conv to 12 → PixelShuffle2x → SR conv."""
    m = base_model()
    cfg = m["modelTopology"]["model_config"]["config"]
    cfg["layers"] = [
        cfg["layers"][0],
        conv("A", "LR", 3, 8, "relu"),
        conv("B", "A", 1, 8),
        {"class_name": "MultiplyBeta", "name": "beta", "inbound_nodes": [[["B", 0, 0, {}]]],
         "config": {"name": "beta", "beta": 0.2}},
        {"class_name": "Add", "name": "sum", "inbound_nodes": [[["A", 0, 0, {}], ["beta", 0, 0, {}]]],
         "config": {"name": "sum"}},
        conv("PreShuffle", "sum", 3, 12),
        {"class_name": "PixelShuffle2x", "name": "shuffle", "inbound_nodes": [[["PreShuffle", 0, 0, {}]]],
         "config": {"name": "shuffle", "scale": 2}},
        conv("SR", "shuffle", 3, 3),
    ]
    shapes = [("A", [3, 3, 3, 8]), ("B", [1, 1, 8, 8]), ("PreShuffle", [3, 3, 8, 12]), ("SR", [3, 3, 3, 3])]
    m["weightsManifest"][0]["weights"] = [w for n, k in shapes for w in (
        {"name": f"{n}/kernel", "shape": k, "dtype": "float32"},
        {"name": f"{n}/bias", "shape": [k[3]], "dtype": "float32"})]
    return m


def engine_against_reference(convert_py, cli, tmp):
    """The RRDN-shaped model through the engine against the NumPy reference."""
    from PIL import Image
    spec = importlib.util.spec_from_file_location("convert", convert_py)
    convert = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(convert)
    model = rrdn_like()
    root, out = os.path.join(tmp, "rrdn"), os.path.join(tmp, "rrdn-out")
    os.makedirs(root)
    pkg = write_package(root, model, weight_bytes(model),
                        definition="{inputRange: [0, 1], outputRange: [0, 1], meta: {architecture: 'rrdn'}}")
    r = run(convert_py, pkg, out, fixtures=False)
    if r.returncode != 0:
        print(f"FAIL: the RRDN-shaped package does not convert:\n{r.stderr}")
        return False
    meta, params = convert.read_safetensors(os.path.join(out, f"{NAME}-x2.safetensors"))
    graph = json.loads(meta["graph"])
    image = np.random.default_rng(3).integers(0, 256, (120, 200, 3), dtype=np.uint8)
    src, dst = os.path.join(tmp, "in.png"), os.path.join(tmp, "out.png")
    Image.fromarray(image).save(src)
    r = subprocess.run([cli, "upscale", "--scale", "2", "--model", os.path.join(out, f"{NAME}-x2.safetensors"),
                        src, "-o", dst], capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        print(f"FAIL: genstudio-cli upscale of the RRDN-shaped model: {r.stderr.strip()}")
        return False
    got = np.asarray(Image.open(dst).convert("RGB"), np.float32)
    want = np.round(np.clip(convert.reference_padded(graph, params, image / 255.0), 0, 1) * 255)
    diff = np.abs(got - want)
    inside = np.mean((want > 0) & (want < 255))   # a saturated output would prove nothing
    ok = got.shape == want.shape and diff.max() <= 1 and inside > 0.4
    print(f"{'ok' if ok else 'FAIL'}: RRDN-shaped model (scale, pixel shuffle, conv after it, range 0..1) "
          f"200×120 ×2 on the engine vs NumPy: max |Δ| {diff.max():.0f}/255, {np.mean(diff > 0):.4f} of values off, "
          f"{inside:.2f} of them inside 1..254")
    return ok


def run(convert, package, out, fixtures=True):
    return subprocess.run([sys.executable, convert, "slim", "--scales", "2", "--package", package, "--out", out]
                          + (["--fixtures", os.path.join(out, "fixtures")] if fixtures else []),
                          capture_output=True, text=True, timeout=120)


def main():
    convert = sys.argv[1]
    failures = 0
    with tempfile.TemporaryDirectory(prefix="esrgan-convert-") as tmp:
        root, out = os.path.join(tmp, "good"), os.path.join(tmp, "good-out")
        os.makedirs(root)
        r = run(convert, write_package(root, base_model(), weight_bytes(base_model())), out)
        made = os.path.join(out, f"{NAME}-x2.safetensors")
        if r.returncode != 0 or not os.path.exists(made):
            print(f"FAIL: the synthetic package does not convert (exit {r.returncode}):\n{r.stderr}")
            return 1
        print(f"ok: the synthetic package converts ({os.path.getsize(made)} bytes)")
        for i, (what, words, make) in enumerate(damaged()):
            root, out = os.path.join(tmp, f"case{i}"), os.path.join(tmp, f"out{i}")
            os.makedirs(root)
            r = run(convert, make(root), out)
            message = r.stderr.strip()
            missing = [w for w in words if w not in message]
            wrote = os.path.isdir(out) and any(f.endswith(".safetensors") for f in os.listdir(out))
            ok = r.returncode != 0 and not missing and not wrote and "Traceback" not in message
            failures += not ok
            print(f"{'ok' if ok else 'FAIL'}: {what}: exit {r.returncode}: {message[-400:]}")
            if missing:
                print(f"    the message lacks {missing}")
            if wrote:
                print("    a model was written anyway")
        if len(sys.argv) > 2:
            failures += not engine_against_reference(convert, sys.argv[2], tmp)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
