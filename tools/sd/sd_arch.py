# SPDX-License-Identifier: GPL-3.0-or-later
"""Stable Diffusion 1.x / 2.x architectures as data (standard library only):
the configurations (full size and the downsized test ones), every tensor of a
checkpoint with its real name and shape, and the mapping from the original
single-file (ldm) names to the diffusers folder names.

make_checkpoint.py writes files from these lists without torch;
sd_reference.py builds torch modules whose state dicts must equal them
(checked by sd_reference.selfcheck)."""
import copy

LATENT_SCALE = 0.18215
BETA_START, BETA_END, TRAIN_STEPS = 0.00085, 0.012, 1000

UNET_PREFIX = "model.diffusion_model."
VAE_PREFIX = "first_stage_model."
CLIP_PREFIX = "cond_stage_model.transformer.text_model."   # SD 1.x (HF CLIPTextModel names)
OPENCLIP_PREFIX = "cond_stage_model.model."               # SD 2.x (OpenCLIP names)

# ---- configurations ----

_SD1 = {
    "family": "sd1",
    "text": {"kind": "clip", "width": 768, "layers": 12, "heads": 12, "vocab": 49408, "tokens": 77,
             "act": "quick_gelu", "eps": 1e-5, "proj_dim": 768},
    "unet": {"in_channels": 4, "out_channels": 4, "model_channels": 320, "channel_mult": [1, 2, 4, 4],
             "num_res_blocks": 2, "attention_levels": [0, 1, 2], "num_heads": 8, "head_channels": None,
             "context_dim": 768, "use_linear": False, "norm_groups": 32, "resnet_eps": 1e-5,
             "transformer_norm_eps": 1e-6, "layer_norm_eps": 1e-5},
    "vae": {"ch": 128, "ch_mult": [1, 2, 4, 4], "num_res_blocks": 2, "z": 4, "in_channels": 3,
            "out_channels": 3, "groups": 32, "eps": 1e-6},
    "skip": 1,          # clip skip of the family: 1 = last layer
    "pad_id": None,     # pad with EOS
    "image_size": 512,
}

_SD2 = copy.deepcopy(_SD1)
_SD2.update(family="sd2", skip=2, pad_id=0, image_size=768)
_SD2["text"].update(kind="openclip", width=1024, layers=24, heads=16, act="gelu", proj_dim=1024)
_SD2["unet"].update(num_heads=None, head_channels=64, context_dim=1024, use_linear=True)

# Downsized test configurations (the lead's plan, "Tiny test configs").
_TINY_SD1 = copy.deepcopy(_SD1)
_TINY_SD1.update(image_size=64)
_TINY_SD1["text"].update(width=32, layers=2, heads=4, vocab=1000, proj_dim=32)
_TINY_SD1["unet"].update(model_channels=32, context_dim=32)
_TINY_SD1["vae"].update(ch=32, ch_mult=[1, 1, 2, 2])

_TINY_SD2 = copy.deepcopy(_SD2)
_TINY_SD2.update(image_size=64)
_TINY_SD2["text"].update(width=32, layers=3, heads=4, vocab=1000, proj_dim=32)
_TINY_SD2["unet"].update(model_channels=32, head_channels=8, context_dim=32)
_TINY_SD2["vae"].update(ch=32, ch_mult=[1, 1, 2, 2])

CONFIGS = {("sd1", "full"): _SD1, ("sd2", "full"): _SD2, ("sd1", "tiny"): _TINY_SD1, ("sd2", "tiny"): _TINY_SD2}

# BOS/EOS of the tiny BPE vocabulary (tests/data/sd/tiny-bpe) and of CLIP's.
TINY_BOS, TINY_EOS = 998, 999
CLIP_BOS, CLIP_EOS = 49406, 49407


def config(family, size="full", inpaint=False):
    c = copy.deepcopy(CONFIGS[(family, size)])
    c["size"] = size
    if inpaint:
        c["unet"]["in_channels"] = 9
    c["inpaint"] = inpaint
    return c


def unet_heads(u, ch):
    """(heads, head dim) of a spatial transformer with ch channels."""
    if u["head_channels"]:
        return ch // u["head_channels"], u["head_channels"]
    return u["num_heads"], ch // u["num_heads"]


def arch_metadata(cfg):
    """The numbers of a downsized file that its shapes do not tell (head
    counts); written as the "genstudio.sd_arch" metadata of tiny files only."""
    u, t = cfg["unet"], cfg["text"]
    a = {"text_heads": t["heads"]}
    if u["head_channels"]:
        a["unet_head_channels"] = u["head_channels"]
    else:
        a["unet_num_heads"] = u["num_heads"]
    return a

# ---- tensor lists: (name, shape, init) in single-file naming ----
# init: ("w", fan_in, gain) weights, ("b",) biases, ("nw",)/("nb",) norm
# weight/bias, ("emb",) token embedding, ("pos",) positions, ("const", v),
# ("ids",) int64 position ids, ("sched", key) the DDPM schedule buffers.

RESIDUAL_GAIN = 0.5  # output layers of residual branches: keeps the stream O(1) at full size


def _linear(out, name, fin, fout, bias=True, gain=1.0):
    out.append((name + ".weight", [fout, fin], ("w", fin, gain)))
    if bias:
        out.append((name + ".bias", [fout], ("b",)))


def _conv(out, name, cin, cout, k, gain=1.0):
    out.append((name + ".weight", [cout, cin, k, k], ("w", cin * k * k, gain)))
    out.append((name + ".bias", [cout], ("b",)))


def _norm(out, name, c):
    out.append((name + ".weight", [c], ("nw",)))
    out.append((name + ".bias", [c], ("nb",)))


def unet_tensors(cfg, prefix=UNET_PREFIX):
    u = cfg["unet"]
    mc, nrb, levels = u["model_channels"], u["num_res_blocks"], len(u["channel_mult"])
    emb = 4 * mc
    out = []
    P = prefix

    def res(p, cin, cout):
        _norm(out, p + "in_layers.0", cin)
        _conv(out, p + "in_layers.2", cin, cout, 3)
        _linear(out, p + "emb_layers.1", emb, cout)
        _norm(out, p + "out_layers.0", cout)
        _conv(out, p + "out_layers.3", cout, cout, 3, RESIDUAL_GAIN)
        if cin != cout:
            _conv(out, p + "skip_connection", cin, cout, 1)

    def proj(name, c, gain=1.0):
        if u["use_linear"]:
            _linear(out, name, c, c, gain=gain)
        else:
            _conv(out, name, c, c, 1, gain)

    def st(p, c):
        _norm(out, p + "norm", c)
        proj(p + "proj_in", c)
        b = p + "transformer_blocks.0."
        for a, ctx in (("attn1", c), ("attn2", u["context_dim"])):
            _linear(out, b + a + ".to_q", c, c, bias=False)
            _linear(out, b + a + ".to_k", ctx, c, bias=False)
            _linear(out, b + a + ".to_v", ctx, c, bias=False)
            _linear(out, b + a + ".to_out.0", c, c, gain=RESIDUAL_GAIN)
        _linear(out, b + "ff.net.0.proj", c, 8 * c)
        _linear(out, b + "ff.net.2", 4 * c, c, gain=RESIDUAL_GAIN)
        for n in ("norm1", "norm2", "norm3"):
            _norm(out, b + n, c)
        proj(p + "proj_out", c, RESIDUAL_GAIN)

    _linear(out, P + "time_embed.0", mc, emb)
    _linear(out, P + "time_embed.2", emb, emb)
    _conv(out, P + "input_blocks.0.0", u["in_channels"], mc, 3)
    chans, ch, block = [mc], mc, 1
    for level, mult in enumerate(u["channel_mult"]):
        for _ in range(nrb):
            res(f"{P}input_blocks.{block}.0.", ch, mc * mult)
            ch = mc * mult
            if level in u["attention_levels"]:
                st(f"{P}input_blocks.{block}.1.", ch)
            chans.append(ch)
            block += 1
        if level != levels - 1:
            _conv(out, f"{P}input_blocks.{block}.0.op", ch, ch, 3)
            chans.append(ch)
            block += 1
    res(P + "middle_block.0.", ch, ch)
    st(P + "middle_block.1.", ch)
    res(P + "middle_block.2.", ch, ch)
    block = 0
    for level in reversed(range(levels)):
        for i in range(nrb + 1):
            cout = mc * u["channel_mult"][level]
            res(f"{P}output_blocks.{block}.0.", ch + chans.pop(), cout)
            ch = cout
            sub = 1
            if level in u["attention_levels"]:
                st(f"{P}output_blocks.{block}.1.", ch)
                sub = 2
            if level and i == nrb:
                _conv(out, f"{P}output_blocks.{block}.{sub}.conv", ch, ch, 3)
            block += 1
    _norm(out, P + "out.0", ch)
    _conv(out, P + "out.2", ch, u["out_channels"], 3)
    return out


def vae_tensors(cfg, prefix=VAE_PREFIX):
    v = cfg["vae"]
    ch, mult, nrb, z, levels = v["ch"], v["ch_mult"], v["num_res_blocks"], v["z"], len(v["ch_mult"])
    out = []
    P = prefix

    def res(p, cin, cout):
        _norm(out, p + "norm1", cin)
        _conv(out, p + "conv1", cin, cout, 3)
        _norm(out, p + "norm2", cout)
        _conv(out, p + "conv2", cout, cout, 3, RESIDUAL_GAIN)
        if cin != cout:
            _conv(out, p + "nin_shortcut", cin, cout, 1)

    def mid(p, c):
        res(p + "mid.block_1.", c, c)
        _norm(out, p + "mid.attn_1.norm", c)
        for n in ("q", "k", "v"):
            _conv(out, p + "mid.attn_1." + n, c, c, 1)
        _conv(out, p + "mid.attn_1.proj_out", c, c, 1, RESIDUAL_GAIN)
        res(p + "mid.block_2.", c, c)

    E = P + "encoder."
    _conv(out, E + "conv_in", v["in_channels"], ch, 3)
    block_in = ch
    for i in range(levels):
        block_out = ch * mult[i]
        for j in range(nrb):
            res(f"{E}down.{i}.block.{j}.", block_in, block_out)
            block_in = block_out
        if i != levels - 1:
            _conv(out, f"{E}down.{i}.downsample.conv", block_in, block_in, 3)
    mid(E, block_in)
    _norm(out, E + "norm_out", block_in)
    _conv(out, E + "conv_out", block_in, 2 * z, 3)
    _conv(out, P + "quant_conv", 2 * z, 2 * z, 1)
    _conv(out, P + "post_quant_conv", z, z, 1)
    D = P + "decoder."
    block_in = ch * mult[-1]
    _conv(out, D + "conv_in", z, block_in, 3)
    mid(D, block_in)
    for i in reversed(range(levels)):
        block_out = ch * mult[i]
        for j in range(nrb + 1):
            res(f"{D}up.{i}.block.{j}.", block_in, block_out)
            block_in = block_out
        if i != 0:
            _conv(out, f"{D}up.{i}.upsample.conv", block_in, block_in, 3)
    _norm(out, D + "norm_out", block_in)
    _conv(out, D + "conv_out", block_in, v["out_channels"], 3)
    return out


def clip_tensors(cfg, prefix=CLIP_PREFIX, layers=None, position_ids=False):
    """HF CLIPTextModel names (prefix ends in "text_model.")."""
    t = cfg["text"]
    w, out, P = t["width"], [], prefix
    out.append((P + "embeddings.token_embedding.weight", [t["vocab"], w], ("emb",)))
    out.append((P + "embeddings.position_embedding.weight", [t["tokens"], w], ("pos",)))
    if position_ids:
        out.append((P + "embeddings.position_ids", [1, t["tokens"]], ("ids",)))
    for i in range(t["layers"] if layers is None else layers):
        L = f"{P}encoder.layers.{i}."
        for n in ("k_proj", "v_proj", "q_proj"):
            _linear(out, L + "self_attn." + n, w, w)
        _linear(out, L + "self_attn.out_proj", w, w, gain=RESIDUAL_GAIN)
        _norm(out, L + "layer_norm1", w)
        _linear(out, L + "mlp.fc1", w, 4 * w)
        _linear(out, L + "mlp.fc2", 4 * w, w, gain=RESIDUAL_GAIN)
        _norm(out, L + "layer_norm2", w)
    _norm(out, P + "final_layer_norm", w)
    return out


def openclip_tensors(cfg, prefix=OPENCLIP_PREFIX):
    t = cfg["text"]
    w, out, P = t["width"], [], prefix
    out.append((P + "token_embedding.weight", [t["vocab"], w], ("emb",)))
    out.append((P + "positional_embedding", [t["tokens"], w], ("pos",)))
    for i in range(t["layers"]):
        L = f"{P}transformer.resblocks.{i}."
        _norm(out, L + "ln_1", w)
        out.append((L + "attn.in_proj_weight", [3 * w, w], ("w", w, 1.0)))
        out.append((L + "attn.in_proj_bias", [3 * w], ("b",)))
        _linear(out, L + "attn.out_proj", w, w, gain=RESIDUAL_GAIN)
        _norm(out, L + "ln_2", w)
        _linear(out, L + "mlp.c_fc", w, 4 * w)
        _linear(out, L + "mlp.c_proj", 4 * w, w, gain=RESIDUAL_GAIN)
    _norm(out, P + "ln_final", w)
    out.append((P + "text_projection", [w, t["proj_dim"]], ("w", w, 1.0)))
    out.append((P + "logit_scale", [], ("const", 4.6052)))
    return out


SCHEDULE_KEYS = ["betas", "alphas_cumprod", "alphas_cumprod_prev", "sqrt_alphas_cumprod",
                 "sqrt_one_minus_alphas_cumprod", "log_one_minus_alphas_cumprod", "sqrt_recip_alphas_cumprod",
                 "sqrt_recipm1_alphas_cumprod", "posterior_variance", "posterior_log_variance_clipped",
                 "posterior_mean_coef1", "posterior_mean_coef2"]


def single_file_tensors(cfg, extras=True):
    """Every tensor of a single-file checkpoint. extras: the buffers real
    files carry and loaders must ignore (ldm's DDPM schedule, SD 1's int64
    position_ids)."""
    out = unet_tensors(cfg) + vae_tensors(cfg)
    if cfg["text"]["kind"] == "clip":
        out += clip_tensors(cfg, position_ids=extras)
    else:
        out += openclip_tensors(cfg)
    if extras:
        out += [(k, [TRAIN_STEPS], ("sched", k)) for k in SCHEDULE_KEYS]
    return out


def schedule_buffers():
    """ldm's registered DDPM buffers (scaled_linear betas), as float lists."""
    import math
    n = TRAIN_STEPS
    betas = [(math.sqrt(BETA_START) + i / (n - 1) * (math.sqrt(BETA_END) - math.sqrt(BETA_START))) ** 2
             for i in range(n)]
    ac, p = [], 1.0
    for b in betas:
        p *= 1 - b
        ac.append(p)
    prev = [1.0] + ac[:-1]
    var = [b * (1 - ap) / (1 - a) for b, a, ap in zip(betas, ac, prev)]
    return {
        "betas": betas, "alphas_cumprod": ac, "alphas_cumprod_prev": prev,
        "sqrt_alphas_cumprod": [math.sqrt(a) for a in ac],
        "sqrt_one_minus_alphas_cumprod": [math.sqrt(1 - a) for a in ac],
        "log_one_minus_alphas_cumprod": [math.log(1 - a) for a in ac],
        "sqrt_recip_alphas_cumprod": [math.sqrt(1 / a) for a in ac],
        "sqrt_recipm1_alphas_cumprod": [math.sqrt(1 / a - 1) for a in ac],
        "posterior_variance": var,
        "posterior_log_variance_clipped": [math.log(max(x, 1e-20)) for x in var],
        "posterior_mean_coef1": [b * math.sqrt(ap) / (1 - a) for b, a, ap in zip(betas, ac, prev)],
        "posterior_mean_coef2": [(1 - ap) * math.sqrt(1 - b) / (1 - a) for b, a, ap in zip(betas, ac, prev)],
    }

# ---- single-file (ldm) names → diffusers names ----


def _unet_res(rest):
    for a, b in (("in_layers.0.", "norm1."), ("in_layers.2.", "conv1."), ("emb_layers.1.", "time_emb_proj."),
                 ("out_layers.0.", "norm2."), ("out_layers.3.", "conv2."), ("skip_connection.", "conv_shortcut.")):
        if rest.startswith(a):
            return b + rest[len(a):]
    raise KeyError(rest)


def unet_to_diffusers(name, cfg):
    """An ldm UNet name (without model.diffusion_model.) → diffusers unet/ name."""
    u = cfg["unet"]
    nrb, levels = u["num_res_blocks"], len(u["channel_mult"])
    parts = name.split(".")
    simple = {"time_embed.0": "time_embedding.linear_1", "time_embed.2": "time_embedding.linear_2",
              "input_blocks.0.0": "conv_in", "out.0": "conv_norm_out", "out.2": "conv_out"}
    head = ".".join(parts[:-1])
    if head in simple:
        return simple[head] + "." + parts[-1]
    if parts[0] == "input_blocks":
        n, sub, rest = int(parts[1]), parts[2], ".".join(parts[3:])
        level, j = (n - 1) // (nrb + 1), (n - 1) % (nrb + 1)
        if j == nrb:  # downsample: input_blocks.N.0.op.*
            assert rest.startswith("op.") and level < levels - 1
            return f"down_blocks.{level}.downsamplers.0.conv." + rest[3:]
        if sub == "0":
            return f"down_blocks.{level}.resnets.{j}." + _unet_res(rest)
        return f"down_blocks.{level}.attentions.{j}." + rest
    if parts[0] == "middle_block":
        sub, rest = parts[1], ".".join(parts[2:])
        if sub == "1":
            return "mid_block.attentions.0." + rest
        return f"mid_block.resnets.{0 if sub == '0' else 1}." + _unet_res(rest)
    if parts[0] == "output_blocks":
        n, sub, rest = int(parts[1]), parts[2], ".".join(parts[3:])
        i, j = n // (nrb + 1), n % (nrb + 1)
        level = levels - 1 - i
        if sub == "0":
            return f"up_blocks.{i}.resnets.{j}." + _unet_res(rest)
        if rest.startswith("conv."):
            return f"up_blocks.{i}.upsamplers.0." + rest
        assert level in u["attention_levels"]
        return f"up_blocks.{i}.attentions.{j}." + rest
    raise KeyError(name)


def _vae_res(rest):
    return rest.replace("nin_shortcut.", "conv_shortcut.")


def vae_to_diffusers(name, cfg):
    """An ldm VAE name (without first_stage_model.) → (diffusers vae/ name,
    flatten): flatten when the diffusers tensor is [C,C] for an ldm [C,C,1,1]."""
    levels = len(cfg["vae"]["ch_mult"])
    parts = name.split(".")
    if parts[0] in ("quant_conv", "post_quant_conv"):
        return name, False
    side, rest = parts[0], parts[1:]
    if rest[0] in ("conv_in", "conv_out"):
        return name, False
    if rest[0] == "norm_out":
        return f"{side}.conv_norm_out.{rest[1]}", False
    if rest[0] == "mid":
        if rest[1] == "attn_1":
            n = {"norm": "group_norm", "q": "to_q", "k": "to_k", "v": "to_v", "proj_out": "to_out.0"}[rest[2]]
            return f"{side}.mid_block.attentions.0.{n}.{rest[3]}", rest[2] != "norm" and rest[3] == "weight"
        k = 0 if rest[1] == "block_1" else 1
        return f"{side}.mid_block.resnets.{k}." + _vae_res(".".join(rest[2:])), False
    if rest[0] == "down":
        i = int(rest[1])
        if rest[2] == "downsample":
            return f"{side}.down_blocks.{i}.downsamplers.0.conv.{rest[4]}", False
        return f"{side}.down_blocks.{i}.resnets.{rest[3]}." + _vae_res(".".join(rest[4:])), False
    if rest[0] == "up":
        i = levels - 1 - int(rest[1])  # diffusers counts from the first-run (lowest-resolution) level
        if rest[2] == "upsample":
            return f"{side}.up_blocks.{i}.upsamplers.0.conv.{rest[4]}", False
        return f"{side}.up_blocks.{i}.resnets.{rest[3]}." + _vae_res(".".join(rest[4:])), False
    raise KeyError(name)


def openclip_to_hf(name, width):
    """An OpenCLIP text name (without cond_stage_model.model.) → list of
    (HF name under text_model., row slice or None); [] for tensors HF's
    CLIPTextModel does not hold (text_projection, logit_scale)."""
    simple = {"token_embedding.weight": "embeddings.token_embedding.weight",
              "positional_embedding": "embeddings.position_embedding.weight",
              "ln_final.weight": "final_layer_norm.weight", "ln_final.bias": "final_layer_norm.bias"}
    if name in simple:
        return [(simple[name], None)]
    if name in ("text_projection", "logit_scale"):
        return []
    parts = name.split(".")
    assert parts[0] == "transformer" and parts[1] == "resblocks", name
    L = f"encoder.layers.{parts[2]}."
    rest = ".".join(parts[3:])
    if rest in ("attn.in_proj_weight", "attn.in_proj_bias"):
        kind = "weight" if rest.endswith("weight") else "bias"
        return [(f"{L}self_attn.{n}_proj.{kind}", (k * width, (k + 1) * width)) for k, n in enumerate("qkv")]
    for a, b in (("ln_1.", "layer_norm1."), ("ln_2.", "layer_norm2."), ("attn.out_proj.", "self_attn.out_proj."),
                 ("mlp.c_fc.", "mlp.fc1."), ("mlp.c_proj.", "mlp.fc2.")):
        if rest.startswith(a):
            return [(L + b + rest[len(a):], None)]
    raise KeyError(name)


def to_diffusers(name, cfg):
    """A single-file name → list of (component, diffusers name, row slice or
    None, flatten); [] for tensors the diffusers layout does not keep (the
    schedule buffers, position_ids, OpenCLIP's projection and logit scale,
    and SD 2's last text layer: diffusers' SD 2 text encoder has one layer
    fewer and is used with its last layer)."""
    if name.startswith(UNET_PREFIX):
        return [("unet", unet_to_diffusers(name[len(UNET_PREFIX):], cfg), None, False)]
    if name.startswith(VAE_PREFIX):
        n, flat = vae_to_diffusers(name[len(VAE_PREFIX):], cfg)
        return [("vae", n, None, flat)]
    if name.startswith(CLIP_PREFIX):
        rest = name[len(CLIP_PREFIX):]
        if rest == "embeddings.position_ids":
            return []
        return [("text_encoder", "text_model." + rest, None, False)]
    if name.startswith(OPENCLIP_PREFIX):
        rest = name[len(OPENCLIP_PREFIX):]
        if rest.startswith("transformer.resblocks."):
            if int(rest.split(".")[2]) >= cfg["text"]["layers"] - 1:
                return []
        return [("text_encoder", "text_model." + n, rows, False)
                for n, rows in openclip_to_hf(rest, cfg["text"]["width"])]
    return []


def diffusers_text_layers(cfg):
    return cfg["text"]["layers"] - (1 if cfg["text"]["kind"] == "openclip" else 0)

# ---- diffusers config files ----


def diffusers_configs(cfg, prediction="epsilon"):
    """model_index.json and the config.json of each component."""
    u, v, t = cfg["unet"], cfg["vae"], cfg["text"]
    levels = len(u["channel_mult"])
    version = "0.21.4"
    downs = ["CrossAttnDownBlock2D" if i in u["attention_levels"] else "DownBlock2D" for i in range(levels)]
    ups = ["CrossAttnUpBlock2D" if levels - 1 - i in u["attention_levels"] else "UpBlock2D" for i in range(levels)]
    chans = [u["model_channels"] * m for m in u["channel_mult"]]
    if u["head_channels"]:  # diffusers calls the head count of SD 2 "attention_head_dim"
        head_dim = [c // u["head_channels"] for c in chans]
    else:
        head_dim = u["num_heads"]
    sd2 = cfg["family"] == "sd2"
    unet = {
        "_class_name": "UNet2DConditionModel", "_diffusers_version": version, "act_fn": "silu",
        "attention_head_dim": head_dim, "block_out_channels": chans, "center_input_sample": False,
        "cross_attention_dim": u["context_dim"], "down_block_types": downs, "downsample_padding": 1,
        "dual_cross_attention": False, "flip_sin_to_cos": True, "freq_shift": 0,
        "in_channels": u["in_channels"], "layers_per_block": u["num_res_blocks"], "mid_block_scale_factor": 1,
        "norm_eps": u["resnet_eps"], "norm_num_groups": u["norm_groups"], "out_channels": u["out_channels"],
        "sample_size": cfg["image_size"] // 8, "up_block_types": ups,
        "use_linear_projection": u["use_linear"], "upcast_attention": sd2 and prediction == "v",
    }
    vchans = [v["ch"] * m for m in v["ch_mult"]]
    vae = {
        "_class_name": "AutoencoderKL", "_diffusers_version": version, "act_fn": "silu",
        "block_out_channels": vchans, "down_block_types": ["DownEncoderBlock2D"] * len(vchans),
        "in_channels": v["in_channels"], "latent_channels": v["z"], "layers_per_block": v["num_res_blocks"],
        "norm_num_groups": v["groups"], "out_channels": v["out_channels"], "sample_size": cfg["image_size"],
        "scaling_factor": LATENT_SCALE, "up_block_types": ["UpDecoderBlock2D"] * len(vchans),
    }
    # bos/eos/pad ids as real SD folders ship them (HF defaults, not the
    # vocabulary's): loaders must not rely on them.
    text = {
        "architectures": ["CLIPTextModel"], "attention_dropout": 0.0, "bos_token_id": 0, "dropout": 0.0,
        "eos_token_id": 2, "hidden_act": t["act"], "hidden_size": t["width"], "initializer_factor": 1.0,
        "initializer_range": 0.02, "intermediate_size": 4 * t["width"], "layer_norm_eps": t["eps"],
        "max_position_embeddings": t["tokens"], "model_type": "clip_text_model",
        "num_attention_heads": t["heads"], "num_hidden_layers": diffusers_text_layers(cfg), "pad_token_id": 1,
        "projection_dim": t["proj_dim"], "torch_dtype": "float32", "transformers_version": "4.25.1",
        "vocab_size": t["vocab"],
    }
    scheduler = {
        "_class_name": "EulerDiscreteScheduler" if sd2 else "PNDMScheduler", "_diffusers_version": version,
        "beta_end": BETA_END, "beta_schedule": "scaled_linear", "beta_start": BETA_START, "clip_sample": False,
        "num_train_timesteps": TRAIN_STEPS, "prediction_type": "v_prediction" if prediction == "v" else "epsilon",
        "set_alpha_to_one": False, "skip_prk_steps": True, "steps_offset": 1, "trained_betas": None,
    }
    pipeline = "StableDiffusionInpaintPipeline" if cfg["inpaint"] else "StableDiffusionPipeline"
    index = {
        "_class_name": pipeline, "_diffusers_version": version, "feature_extractor": [None, None],
        "requires_safety_checker": False, "safety_checker": [None, None],
        "scheduler": ["diffusers", scheduler["_class_name"]], "text_encoder": ["transformers", "CLIPTextModel"],
        "tokenizer": ["transformers", "CLIPTokenizer"], "unet": ["diffusers", "UNet2DConditionModel"],
        "vae": ["diffusers", "AutoencoderKL"],
    }
    pad = "!" if sd2 else "<|endoftext|>"
    tokenizer = {
        "add_prefix_space": False, "bos_token": "<|startoftext|>", "do_lower_case": True,
        "eos_token": "<|endoftext|>", "errors": "replace", "model_max_length": t["tokens"], "pad_token": pad,
        "tokenizer_class": "CLIPTokenizer", "unk_token": "<|endoftext|>",
    }
    special = {"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "pad_token": pad,
               "unk_token": "<|endoftext|>"}
    return {"model_index.json": index, "unet/config.json": unet, "vae/config.json": vae,
            "text_encoder/config.json": text, "scheduler/scheduler_config.json": scheduler,
            "tokenizer/tokenizer_config.json": tokenizer, "tokenizer/special_tokens_map.json": special}


DIFFUSERS_WEIGHTS = {"unet": "unet/diffusion_pytorch_model.safetensors",
                     "vae": "vae/diffusion_pytorch_model.safetensors",
                     "text_encoder": "text_encoder/model.safetensors"}
