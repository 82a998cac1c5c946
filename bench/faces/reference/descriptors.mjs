// Prints, as JSON, face-api.js's 128-d descriptor of each 150×150 PNG chip given, computed on
// TF.js's CPU backend with the same weights Clearance vendors (models/face/faceapi).
//
//   npm ci && node descriptors.mjs CHIP.png… > descriptors.json
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { PNG } from 'pngjs';

// The CommonJS build: the ESM ones do not resolve under Node without a bundler.
const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs');
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');

const here = path.dirname(fileURLToPath(import.meta.url));
const weightsDir = process.env.FACE_WEIGHTS ?? path.join(here, '../../../models/face/faceapi');

await tf.setBackend('cpu');
await tf.ready();
const net = new faceapi.FaceRecognitionNet();
const manifest = JSON.parse(fs.readFileSync(path.join(weightsDir, 'face_recognition_model-weights_manifest.json')));
const shards = manifest.flatMap((group) => group.paths.map((p) => fs.readFileSync(path.join(weightsDir, p))));
const joined = Buffer.concat(shards);
const specs = manifest.flatMap((group) => group.weights);
const weightMap = tf.io.decodeWeights(joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength), specs);
net.loadFromWeightMap(weightMap);

// REPEAT=N: time the encoder N times per chip instead, and print the median in milliseconds.
const repeat = Number(process.env.REPEAT ?? 0);
const out = {};
const times = [];
for (const file of process.argv.slice(2)) {
  const png = PNG.sync.read(fs.readFileSync(file));
  const rgb = new Int32Array(png.width * png.height * 3);
  for (let i = 0; i < png.width * png.height; i += 1) {
    for (let c = 0; c < 3; c += 1) rgb[i * 3 + c] = png.data[i * 4 + c];
  }
  const input = tf.tensor3d(rgb, [png.height, png.width, 3], 'int32');
  const descriptor = await net.computeFaceDescriptor(input);
  for (let i = 0; i < repeat; i += 1) {
    const started = performance.now();
    await net.computeFaceDescriptor(input);
    times.push(performance.now() - started);
  }
  input.dispose();
  out[path.basename(file)] = Array.from(descriptor);
}
if (repeat > 0) {
  times.sort((a, b) => a - b);
  process.stdout.write(`tfjs_encoder_ms=${times[Math.ceil(times.length / 2) - 1].toFixed(2)}\n`);
} else {
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
}
