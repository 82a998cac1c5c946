// Prints, as JSON, face-api.js's 128-d descriptor of each 150×150 PNG chip given, computed on
// TF.js's CPU backend with the same weights Clearance vendors (models/face/faceapi).
//
//   npm install && node descriptors.mjs CHIP.png… > descriptors.json
// REPEAT=N: time the encoder N times per chip instead, and print the median in milliseconds.
import path from 'node:path';
import { faceapi, loadWeights, readRgb } from './common.mjs';

const net = new faceapi.FaceRecognitionNet();
net.loadFromWeightMap(loadWeights('face_recognition_model'));

const repeat = Number(process.env.REPEAT ?? 0);
const out = {};
const times = [];
for (const file of process.argv.slice(2)) {
  const input = readRgb(file);
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
