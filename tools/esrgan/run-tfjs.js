// SPDX-License-Identifier: GPL-3.0-or-later
// Runs an UpscalerJS ESRGAN package's model.json in TensorFlow.js itself
// (the pure-JS CPU backend), for tools/esrgan/check_tfjs.py: an independent
// check of the converter's reading of the graph.
//
//   node run-tfjs.js PACKAGE_DIR SCALE IN.f32 H W OUT.f32
//
// IN.f32: H×W×3 float32 RGB in 0..255, little-endian; OUT.f32: the model's
// sH×sW×3 output, brought back to 0..255. The package's own model
// definition (dist/cjs) gives the custom layers (setup) and the input and
// output ranges, as UpscalerJS uses them.
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');

function fail(message) {
    process.stderr.write(`run-tfjs.js: ${message}\n`);
    process.exit(1);
}

async function main() {
    const [pkg, scaleArg, inPath, hArg, wArg, outPath] = process.argv.slice(2);
    if (!outPath)
        fail('usage: node run-tfjs.js PACKAGE_DIR SCALE IN.f32 H W OUT.f32');
    const scale = Number(scaleArg), h = Number(hArg), w = Number(wArg);
    const variant = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8')).name.split('/').pop();
    const definition = require(path.resolve(pkg, 'dist', 'cjs', 'models', variant, 'src', `x${scale}`, 'cjs.js'));
    if (definition.setup)
        definition.setup(tf);
    await tf.setBackend('cpu');

    const modelDir = path.join(pkg, 'models', `x${scale}`);
    const modelJson = JSON.parse(fs.readFileSync(path.join(modelDir, 'model.json'), 'utf8'));
    const specs = [], buffers = [];
    for (const group of modelJson.weightsManifest) {
        specs.push(...group.weights);
        for (const shard of group.paths)
            buffers.push(fs.readFileSync(path.join(modelDir, shard)));
    }
    const all = Buffer.concat(buffers);
    const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
    const model = await tf.loadLayersModel(tf.io.fromMemory({
        modelTopology: modelJson.modelTopology, weightSpecs: specs, weightData }));

    const raw = fs.readFileSync(inPath);
    const pixels = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    if (pixels.length !== h * w * 3)
        fail(`${inPath}: ${pixels.length} floats, expected ${h}×${w}×3`);
    const [inLo, inHi] = definition.inputRange, [outLo, outHi] = definition.outputRange;
    const input = tf.tensor4d(pixels, [1, h, w, 3]).div(255).mul(inHi - inLo).add(inLo);
    const output = model.predict(input).sub(outLo).div(outHi - outLo).mul(255);
    const data = await output.data();
    if (output.shape[1] !== h * scale || output.shape[2] !== w * scale)
        fail(`output shape ${output.shape}, expected ${h * scale}×${w * scale}`);
    fs.writeFileSync(outPath, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    process.stdout.write(JSON.stringify({ inputRange: definition.inputRange, outputRange: definition.outputRange,
                                          architecture: definition.meta.architecture }) + '\n');
}

main().catch((e) => fail(e.stack || String(e)));
