#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The downsized checkpoints the golden tests load, and the files the loader
must refuse, written into OUTDIR. Standard library only; about a second.

The checkpoints are 20 MB each at the plan's tiny configs, so they are not
committed: the build makes them, bit for bit the files the goldens in
tests/data/sd/ were computed from (--check compares their SHA-256 with the
ones the goldens record).

  make_test_models.py OUTDIR [--tokenizer-dir tests/data/sd/tiny-bpe] [--check tests/data/sd]"""
import argparse
import hashlib
import json
import os
import struct
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_checkpoint as MC  # noqa: E402
import sd_arch as A  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

# (output name, family, dtype, seed, prediction, inpaint, layout, modelspec metadata)
MODELS = [
    ("tiny-sd1", "sd1", "F16", 1, "epsilon", False, "both", False),   # SD 1.5's own files carry no metadata
    ("tiny-sd2", "sd2", "BF16", 2, "v", False, "both", True),         # as SD 2.1-768-v; the file says v
    ("tiny-sd1-inpaint", "sd1", "F16", 1, "epsilon", True, "single", False),
]

# Tensors left out of refuse/sd1-missing.safetensors (the loader lists the first few).
MISSING = [
    "model.diffusion_model.input_blocks.1.1.proj_in.weight",
    "model.diffusion_model.middle_block.1.transformer_blocks.0.attn2.to_k.weight",
    "model.diffusion_model.output_blocks.4.0.emb_layers.1.bias",
    "model.diffusion_model.output_blocks.11.1.proj_out.weight",
    "model.diffusion_model.out.2.weight",
    "first_stage_model.decoder.conv_out.weight",
]
# refuse/sd1-wrong-shape.safetensors: one tensor whose shape does not fit the rest.
WRONG_SHAPE = {"model.diffusion_model.output_blocks.4.0.emb_layers.1.weight": [64, 128]}


def small(path, names, metadata=None, dtype="F16"):
    """A small file with these names; [shape] per name, deterministic values."""
    entries = []
    for name, shape in names.items():
        init = ("b",) if len(shape) == 1 else ("w", max(1, MC.numel(shape[1:])), 1.0)
        entries.append((name, dtype, shape, lambda n=name, s=shape, i=init: MC.tensor_bytes(n, s, i, dtype, 0)))
    MC.write_safetensors(path, entries, metadata)


def write_refusals(out):
    os.makedirs(out, exist_ok=True)
    small(os.path.join(out, "sdxl.safetensors"), {
        "conditioner.embedders.0.transformer.text_model.embeddings.token_embedding.weight": [16, 8],
        "conditioner.embedders.1.model.transformer.resblocks.0.attn.in_proj_weight": [24, 8],
        "model.diffusion_model.label_emb.0.0.weight": [32, 16],
        "model.diffusion_model.input_blocks.0.0.weight": [32, 4, 3, 3],
        "model.diffusion_model.input_blocks.4.1.transformer_blocks.1.attn1.to_q.weight": [64, 64],
        "first_stage_model.decoder.conv_in.weight": [32, 4, 3, 3],
    })
    small(os.path.join(out, "sd3.safetensors"), {
        "model.diffusion_model.joint_blocks.0.context_block.attn.qkv.weight": [48, 16],
        "model.diffusion_model.joint_blocks.0.x_block.attn.qkv.weight": [48, 16],
        "model.diffusion_model.x_embedder.proj.weight": [16, 16, 2, 2],
        "model.diffusion_model.pos_embed": [1, 16, 16],
        "first_stage_model.decoder.conv_in.weight": [32, 16, 3, 3],
    })
    small(os.path.join(out, "flux.safetensors"), {
        "double_blocks.0.img_attn.qkv.weight": [48, 16],
        "double_blocks.0.txt_attn.qkv.weight": [48, 16],
        "single_blocks.0.linear1.weight": [64, 16],
        "img_in.weight": [16, 64],
        "time_in.in_layer.weight": [16, 256],
        "final_layer.linear.weight": [64, 16],
    }, dtype="BF16")
    # LCM-LoRA as published for SD 1.5 (kohya names) and a diffusers/PEFT one.
    small(os.path.join(out, "lora-kohya.safetensors"), {
        "lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight": [4, 32, 1, 1],
        "lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight": [32, 4, 1, 1],
        "lora_unet_down_blocks_0_attentions_0_proj_in.alpha": [1],
        "lora_te_text_model_encoder_layers_0_self_attn_q_proj.lora_down.weight": [4, 32],
        "lora_te_text_model_encoder_layers_0_self_attn_q_proj.lora_up.weight": [32, 4],
    }, metadata={"ss_network_module": "networks.lora", "ss_network_dim": "4"})
    small(os.path.join(out, "lora-peft.safetensors"), {
        "unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.lora_A.weight": [4, 32],
        "unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.lora_B.weight": [32, 4],
        "unet.up_blocks.1.attentions.0.proj_out.lora_A.weight": [4, 32],
        "unet.up_blocks.1.attentions.0.proj_out.lora_B.weight": [32, 4],
    })
    # Pickles: torch.save's zip container and the legacy stream (protocol 2).
    for name in ("pickle-zip.ckpt", "pickle-zip.bin"):
        with zipfile.ZipFile(os.path.join(out, name), "w", zipfile.ZIP_STORED) as z:
            for member, data in (("archive/data.pkl", b"\x80\x02}q\x00X\x05\x00\x00\x00stateq\x01}q\x02s."),
                                 ("archive/version", b"3\n")):
                z.writestr(zipfile.ZipInfo(member, (1980, 1, 1, 0, 0, 0)), data)
    for name in ("pickle-legacy.ckpt", "pickle-legacy.pt"):
        with open(os.path.join(out, name), "wb") as f:
            f.write(b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.\x80\x02M\xe9\x03.\x80\x02}q\x00.")
    # A header promising more data than the file holds.
    with open(os.path.join(out, "truncated.safetensors"), "wb") as f:
        text = json.dumps({"model.diffusion_model.out.2.weight": {"dtype": "F16", "shape": [4, 320, 3, 3],
                                                                  "data_offsets": [0, 23040]}}).encode()
        text += b" " * (-len(text) % 8)
        f.write(struct.pack("<Q", len(text)) + text + b"\0" * 100)
    cfg = A.config("sd1", "tiny")
    MC.write_single(os.path.join(out, "sd1-missing.safetensors"), cfg, "F16", 1, modelspec=False, drop=MISSING)
    MC.write_single(os.path.join(out, "sd1-wrong-shape.safetensors"), cfg, "F16", 1, modelspec=False,
                    reshape=WRONG_SHAPE)
    # An SDXL diffusers folder (its model_index.json and UNet config say so).
    folder = os.path.join(out, "sdxl-diffusers")
    os.makedirs(os.path.join(folder, "unet"), exist_ok=True)
    with open(os.path.join(folder, "model_index.json"), "w") as f:
        json.dump({"_class_name": "StableDiffusionXLPipeline", "_diffusers_version": "0.21.4",
                   "text_encoder": ["transformers", "CLIPTextModel"],
                   "text_encoder_2": ["transformers", "CLIPTextModelWithProjection"],
                   "tokenizer": ["transformers", "CLIPTokenizer"], "tokenizer_2": ["transformers", "CLIPTokenizer"],
                   "unet": ["diffusers", "UNet2DConditionModel"], "vae": ["diffusers", "AutoencoderKL"],
                   "scheduler": ["diffusers", "EulerDiscreteScheduler"]}, f, indent=2)
    with open(os.path.join(folder, "unet", "config.json"), "w") as f:
        json.dump({"_class_name": "UNet2DConditionModel", "addition_embed_type": "text_time",
                   "cross_attention_dim": 2048, "block_out_channels": [320, 640, 1280],
                   "transformer_layers_per_block": [1, 2, 10]}, f, indent=2)


def checkpoint_files(out):
    """Relative paths of the weight files the goldens were computed from."""
    files = []
    for name, _, _, _, _, _, layout, _ in MODELS:
        if layout in ("single", "both"):
            files.append(name + ".safetensors")
        if layout in ("diffusers", "both"):
            files += [f"{name}-diffusers/{rel}" for rel in A.DIFFUSERS_WEIGHTS.values()]
    return files


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_models(out, tokenizer_dir=None):
    os.makedirs(out, exist_ok=True)
    for name, family, dtype, seed, pred, inpaint, layout, modelspec in MODELS:
        cfg = A.config(family, "tiny", inpaint)
        if layout in ("single", "both"):
            MC.write_single(os.path.join(out, name + ".safetensors"), cfg, dtype, seed, pred, modelspec=modelspec)
        if layout in ("diffusers", "both"):
            MC.write_diffusers(os.path.join(out, name + "-diffusers"), cfg, dtype, seed, pred, tokenizer_dir)
    return {rel: sha256(os.path.join(out, rel)) for rel in checkpoint_files(out)}


def recorded_hashes(golden_dir):
    """The SHA-256 map the goldens hold in their metadata."""
    out = {}
    for family in ("sd1", "sd2"):
        with open(os.path.join(golden_dir, f"{family}_golden.safetensors"), "rb") as f:
            n = struct.unpack("<Q", f.read(8))[0]
            meta = json.loads(f.read(n)).get("__metadata__", {})
        out.update(json.loads(meta["genstudio.sha256"]))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--tokenizer-dir", default=os.path.join(ROOT, "tests", "data", "sd", "tiny-bpe"),
                    help="vocab.json + merges.txt for the diffusers folders' tokenizer/ (skipped when absent)")
    ap.add_argument("--check", metavar="GOLDEN_DIR", help="fail unless the files hash as the goldens record")
    ap.add_argument("--stamp", help="file to touch when done (for meson)")
    a = ap.parse_args()
    tok = a.tokenizer_dir
    if tok and not all(os.path.exists(os.path.join(tok, n)) for n in ("vocab.json", "merges.txt")):
        print(f"make_test_models: no vocab.json + merges.txt in {tok}; diffusers folders get no vocabulary",
              file=sys.stderr)
        tok = None
    hashes = write_models(a.outdir, tok)
    write_refusals(os.path.join(a.outdir, "refuse"))
    if a.check:
        want = recorded_hashes(a.check)
        bad = [rel for rel in want if hashes.get(rel) != want[rel]]
        if bad:
            sys.exit(f"make_test_models: {', '.join(bad)} differ from the files the goldens were made from")
    if a.stamp:
        with open(a.stamp, "w") as f:
            f.write(json.dumps(hashes, indent=1, sort_keys=True) + "\n")
    print(f"wrote {a.outdir}: " + ", ".join(sorted(set(r.split('/')[0] for r in hashes))) + ", refuse/")


if __name__ == "__main__":
    main()
