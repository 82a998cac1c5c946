// Prints, as JSON, face-api.js's age estimate (years) for each 112×112 PNG face crop given,
// computed on TF.js's CPU backend with the weights Clearance vendors (models/face/faceapi).
//
//   npm install && node ages.mjs CROP.png… > age_reference.json
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { PNG } from 'pngjs';

const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs');
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');

const here = path.dirname(fileURLToPath(import.meta.url));
const weightsDir = process.env.FACE_WEIGHTS ?? path.join(here, '../../../models/face/faceapi');

await tf.setBackend('cpu');
await tf.ready();
const manifest = JSON.parse(fs.readFileSync(path.join(weightsDir, 'age_gender_model-weights_manifest.json')));
const shards = manifest.flatMap((group) => group.paths.map((p) => fs.readFileSync(path.join(weightsDir, p))));
const joined = Buffer.concat(shards);
const specs = manifest.flatMap((group) => group.weights);
const weightMap = tf.io.decodeWeights(joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength), specs);
const net = new faceapi.AgeGenderNet();
net.loadFromWeightMap(weightMap);

const out = {};
for (const file of process.argv.slice(2)) {
  const png = PNG.sync.read(fs.readFileSync(file));
  const rgb = new Int32Array(png.width * png.height * 3);
  for (let i = 0; i < png.width * png.height; i += 1) {
    for (let c = 0; c < 3; c += 1) rgb[i * 3 + c] = png.data[i * 4 + c];
  }
  const input = tf.tensor3d(rgb, [png.height, png.width, 3], 'int32');
  const { age } = await net.predictAgeAndGender(input);
  input.dispose();
  out[path.basename(file)] = age;
}
process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
