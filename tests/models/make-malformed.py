#!/usr/bin/python3
# Writes a folder of malformed model files, one flaw each, made from the
# shipped emoji32 (real names, real shapes) or from scratch: what a
# truncated download, a hostile header or a wrong file looks like.
# Usage: make-malformed.py EMOJI32.safetensors OUT_DIR
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import os
import struct
import sys

source, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
with open(source, 'rb') as f:
    blob = f.read()
header_len = struct.unpack('<Q', blob[:8])[0]
header = json.loads(blob[8:8 + header_len])
data = blob[8 + header_len:]
names = [n for n in header if n != '__metadata__']
first = names[0]
config = json.loads(header['__metadata__']['genstudio.config'])


def write(name, raw):
    with open(os.path.join(out, name + '.safetensors'), 'wb') as f:
        f.write(raw)


def pack(header_bytes, payload=b''):
    return struct.pack('<Q', len(header_bytes)) + header_bytes + payload


def model(hdr, payload=None):
    """emoji32 with its header replaced by `hdr` (a dict or JSON text)."""
    text = hdr if isinstance(hdr, (bytes, str)) else json.dumps(hdr)
    text = text.encode() if isinstance(text, str) else text
    return pack(text, data if payload is None else payload)


def edited(edit):
    hdr = json.loads(json.dumps(header))
    edit(hdr)
    return model(hdr)


def with_config(**changes):
    def edit(hdr):
        c = dict(config)
        c.update(changes)
        hdr['__metadata__']['genstudio.config'] = json.dumps(c)
    return edited(edit)


def set_in(name, key, value):
    def edit(hdr):
        hdr[name][key] = value
    return edit


cases = {
    'empty': b'',
    'seven-bytes': b'\x10\x00\x00\x00\x00\x00\x00',
    'header-length-zero': struct.pack('<Q', 0) + b'{}',
    'header-length-huge': struct.pack('<Q', 2**63 + 5) + b'{}',
    'header-length-past-end': struct.pack('<Q', 4096) + b'{"a": 1}',
    'header-length-over-limit': struct.pack('<Q', 200 << 20) + b'{' + b' ' * 1000 + b'}',
    'header-not-utf8': pack(b'{"\xff\xfe": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}', b'\0' * 4),
    'header-blank': pack(b'        '),
    'header-null': pack(b'null'),
    'header-array': pack(b'[1, 2, 3]'),
    'header-truncated-json': model(json.dumps(header)[:-40]),
    'header-deep-nesting': pack(b'[' * 100000 + b']' * 100000),
    'header-unclosed-string': pack(b'{"abc'),
    'tensor-not-object': edited(lambda h: h.__setitem__(first, [1, 2])),
    'dtype-missing': edited(lambda h: h[first].pop('dtype')),
    'dtype-unknown': edited(set_in(first, 'dtype', 'F8_E4M3')),
    'dtype-integer-weights': edited(set_in(first, 'dtype', 'I32')),
    'dtype-not-string': edited(set_in(first, 'dtype', 32)),
    'shape-nan': model(json.dumps(header).replace('"shape": [', '"shape": [NaN, ', 1)),
    'shape-float': edited(set_in(first, 'shape', [3.5, 2])),
    'shape-negative': edited(set_in(first, 'shape', [-1, 128])),
    'shape-string': edited(set_in(first, 'shape', "128")),
    'shape-nine-dims': edited(set_in(first, 'shape', [1] * 9)),
    'shape-overflow': edited(set_in(first, 'shape', [2**40, 2**40, 2**20])),
    'shape-huge-within-limits': edited(set_in(first, 'shape', [2**31, 2**20])),
    'offsets-past-end': edited(set_in(first, 'data_offsets', [0, len(data) + 4096])),
    'offsets-reversed': edited(lambda h: h[first].__setitem__('data_offsets', h[first]['data_offsets'][::-1])),
    'offsets-negative': edited(set_in(first, 'data_offsets', [-4, 0])),
    'offsets-wrong-size': edited(lambda h: h[first].__setitem__(
        'data_offsets', [h[first]['data_offsets'][0], h[first]['data_offsets'][1] - 4])),
    'offsets-missing': edited(lambda h: h[first].pop('data_offsets')),
    'offsets-overlap': edited(lambda h: h[names[1]].__setitem__('data_offsets', h[first]['data_offsets'])
                              if h[names[1]]['shape'] == h[first]['shape'] else
                              h[names[1]].update(shape=h[first]['shape'], data_offsets=h[first]['data_offsets'])),
    'duplicate-names': model(json.dumps(header)[:-1] + ', "%s": %s}' % (first, json.dumps(header[names[1]]))),
    'name-lone-surrogate': model(json.dumps(header).replace('"%s"' % first, '"\\ud800%s"' % first, 1)),
    'name-nul': model(json.dumps(header).replace('"%s"' % first, '"%s\\u0000x"' % first, 1)),
    'truncated-half': blob[:8 + header_len + len(data) // 2],
    'truncated-in-header': blob[:8 + header_len // 2],
    'missing-tensor': edited(lambda h: h.pop(names[-1])),
    'missing-all-tensors': model({'__metadata__': header['__metadata__']}, b''),
    'wrong-shape': edited(lambda h: h[first].__setitem__('shape', h[first]['shape'][::-1])
                          if len(set(h[first]['shape'])) > 1 else h[first].__setitem__('shape', [1])),
    'wrong-family-sdxl': pack(json.dumps({
        'conditioner.embedders.1.model.transformer.resblocks.0.attn.in_proj_weight':
            {'dtype': 'F16', 'shape': [2, 2], 'data_offsets': [0, 8]},
        'model.diffusion_model.input_blocks.0.0.weight': {'dtype': 'F16', 'shape': [2], 'data_offsets': [8, 12]},
    }).encode(), b'\0' * 12),
    'wrong-family-lora': pack(json.dumps({
        'lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight':
            {'dtype': 'F16', 'shape': [4, 4], 'data_offsets': [0, 32]},
    }).encode(), b'\0' * 32),
    'wrong-family-random-names': pack(json.dumps({
        'encoder.layer.0.weight': {'dtype': 'F32', 'shape': [2], 'data_offsets': [0, 8]},
    }).encode(), b'\0' * 8),
    'metadata-not-object': edited(lambda h: h.__setitem__('__metadata__', [1])),
    'metadata-value-number': edited(lambda h: h['__metadata__'].__setitem__('genstudio.config', 5)),
    'config-not-json': edited(lambda h: h['__metadata__'].__setitem__('genstudio.config', '{"image_size": ')),
    'config-blank': edited(lambda h: h['__metadata__'].__setitem__('genstudio.config', '   ')),
    'config-huge-channels': with_config(model_channels=1 << 30),
    'config-negative-size': with_config(image_size=-32),
    'config-zero-heads': with_config(text_heads=0, head_channels=0),
    'config-huge-image': with_config(image_size=1 << 20),
    'config-nan': model(json.dumps(header).replace('\\"beta_end\\": 0.02', '\\"beta_end\\": NaN')
                        .replace('\\"beta_end\\":0.02', '\\"beta_end\\":NaN')),
    'config-strings': with_config(num_res_blocks='one', channel_mult='1,2'),
    'config-nested-list': with_config(channel_mult=[1, [2], 2]),
    'vocab-missing': edited(lambda h: h['__metadata__'].pop('genstudio.vocab')),
    'vocab-empty': edited(lambda h: h['__metadata__'].__setitem__('genstudio.vocab', '')),
    'pickle-renamed': b'\x80\x02}q\x00(X\x05\x00\x00\x00stateq\x01' + b'\0' * 64,
    'zip-renamed': b'PK\x03\x04' + b'\0' * 100,
    'text-file': b'this is not a model, just some words\n' * 20,
}
for name, raw in cases.items():
    write(name, raw)
os.makedirs(os.path.join(out, 'directory.safetensors'), exist_ok=True)
print(len(cases) + 1, 'malformed models in', out)
