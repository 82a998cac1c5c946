// What both reference scripts share: TF.js on its CPU backend, face-api.js, the vendored
// weights (models/face/faceapi, or FACE_WEIGHTS), and PNG crops read as int32 RGB tensors.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { PNG } from 'pngjs';

// The CommonJS builds: the ESM ones do not resolve under Node without a bundler.
const require = createRequire(import.meta.url);
export const tf = require('@tensorflow/tfjs');
export const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');

const here = path.dirname(fileURLToPath(import.meta.url));
const weightsDir = process.env.FACE_WEIGHTS ?? path.join(here, '../../../models/face/faceapi');

await tf.setBackend('cpu');
await tf.ready();

/// The weight map of `<name>-weights_manifest.json` and its shards.
export function loadWeights(name) {
  const manifest = JSON.parse(fs.readFileSync(path.join(weightsDir, `${name}-weights_manifest.json`)));
  const shards = manifest.flatMap((group) => group.paths.map((p) => fs.readFileSync(path.join(weightsDir, p))));
  const joined = Buffer.concat(shards);
  const specs = manifest.flatMap((group) => group.weights);
  return tf.io.decodeWeights(joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength), specs);
}

/// A PNG file as a [height, width, 3] int32 tensor.
export function readRgb(file) {
  const png = PNG.sync.read(fs.readFileSync(file));
  const rgb = new Int32Array(png.width * png.height * 3);
  for (let i = 0; i < png.width * png.height; i += 1) {
    for (let c = 0; c < 3; c += 1) rgb[i * 3 + c] = png.data[i * 4 + c];
  }
  return tf.tensor3d(rgb, [png.height, png.width, 3], 'int32');
}
