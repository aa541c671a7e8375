#!/usr/bin/env node
// A command objective in plain Node.js: any program can be one. Tansaku passes the parameters as
// {placeholders} in argv (here --lr and --width), as TANSAKU_PARAM_<NAME> environment variables and
// in the JSON file $TANSAKU_PARAMS_FILE. The program prints "tansaku:report <step> <value>" lines for
// intermediate values (so the pruner can stop it) and its result as the last line of stdout.
//
//   npx tansaku optimize --command 'node examples/command-objective.mjs --lr {lr} --width {width}' \
//     --space examples/search-space.json --storage tansaku.journal --study node-cmd --n-trials 30 --n-jobs 4
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { lr: { type: 'string' }, width: { type: 'string' } }, strict: false });
const lr = Number(values.lr);
const width = Number(values.width);
// Every parameter of the space is also in the environment and in the params file:
const act = process.env.TANSAKU_PARAM_ACT;
const params = JSON.parse(readFileSync(process.env.TANSAKU_PARAMS_FILE, 'utf8'));
if (params.act !== act) throw new Error('the params file and the environment disagree');

// A stand-in for training: a validation loss that decreases over epochs, best near lr=3e-3, width=128.
let loss = Infinity;
for (let epoch = 0; epoch < 20; epoch++) {
  loss = 0.05 + Math.log10(lr / 3e-3) ** 2 + Math.log2(width / 128) ** 2 / 20 + (act === 'relu' ? 0 : 0.1) + 1 / (epoch + 1);
  console.log(`tansaku:report ${epoch} ${loss}`);
  await new Promise((resolve) => setTimeout(resolve, 20));
}
console.log(`trial ${process.env.TANSAKU_TRIAL_NUMBER} of study ${process.env.TANSAKU_STUDY} done`);
console.log(loss); // the result: the last line of stdout
