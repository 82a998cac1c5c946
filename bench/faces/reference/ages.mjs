// Prints, as JSON, face-api.js's age estimate (years) for each 112×112 PNG face crop given,
// computed on TF.js's CPU backend with the weights Clearance vendors (models/face/faceapi).
//
//   npm install && node ages.mjs CROP.png… > age_reference.json
import path from 'node:path';
import { faceapi, loadWeights, readRgb } from './common.mjs';

const net = new faceapi.AgeGenderNet();
net.loadFromWeightMap(loadWeights('age_gender_model'));

const out = {};
for (const file of process.argv.slice(2)) {
  const input = readRgb(file);
  const { age } = await net.predictAgeAndGender(input);
  input.dispose();
  out[path.basename(file)] = age;
}
process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
