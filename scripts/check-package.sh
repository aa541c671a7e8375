#!/usr/bin/env bash
# The packed library as a user gets it: packs `tansaku`, installs the tarball in a new project outside
# the repository (from npm's cache, which `npm ci` filled) and uses it there:
#   - its declarations hold no @internal declaration and nothing from Node's global namespace, and a
#     consumer file type-checks against them with skipLibCheck: false;
#   - `npx tansaku optimize` runs an .mjs module objective on a journal;
#   - a .ts module objective fails with exit 2 naming tsx while tsx is missing, and runs once it is installed;
#   - `tansaku/tfjs` starts the wasm backend (a fallback to cpu is a failure here) and trains one batch.
# Run by .ci/run after `npm ci`; not part of `npm test`, which stays hermetic.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/tansaku-package.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
step() { printf '\n== check-package: %s\n' "$*"; }
fail() { printf 'check-package: FAILED: %s\n' "$*" >&2; exit 1; }
version_of() { node -p "require('$ROOT/node_modules/$1/package.json').version"; }

step "npm pack (library/)"
cd "$ROOT"
TARBALL="$(npm pack -w tansaku --pack-destination "$WORK" --silent | tail -n 1)"
[ -f "$WORK/$TARBALL" ] || fail "npm pack made no tarball (got '$TARBALL')"
tar -tzf "$WORK/$TARBALL" > "$WORK/contents.txt"
for f in package/package.json package/README.md package/LICENSE package/bin/tansaku.mjs package/dist/index.js package/dist/index.d.ts \
  package/dist/extend.js package/dist/extend.d.ts package/dist/testing.js package/dist/testing.d.ts package/dist/tfjs/index.js; do
  grep -qx "$f" "$WORK/contents.txt" || fail "the tarball lacks $f"
done
if grep -q '^package/src/' "$WORK/contents.txt"; then fail "the tarball ships src/"; fi
[ ! -e library/README.md ] || fail "postpack left library/README.md behind"
echo "$TARBALL: $(wc -l < "$WORK/contents.txt") files"

step "install the tarball in a new project (outside the repository)"
APP="$WORK/app"
mkdir -p "$APP"
cd "$APP"
printf '{ "name": "tansaku-consumer", "private": true, "type": "module" }\n' > package.json
npm install --prefer-offline --no-audit --no-fund --loglevel=error \
  "$WORK/$TARBALL" \
  "typescript@$(version_of typescript)" "@types/node@$(version_of @types/node)" \
  "@tensorflow/tfjs@$(version_of @tensorflow/tfjs)" "@tensorflow/tfjs-backend-wasm@$(version_of @tensorflow/tfjs-backend-wasm)"
[ ! -L node_modules/tansaku ] || fail "node_modules/tansaku is a link into the repository, not the installed tarball"

step "published declarations"
DTS="node_modules/tansaku/dist"
if grep -rn --include='*.d.ts' -e '@internal' "$DTS"; then fail "declarations marked @internal were published"; fi
if grep -rn --include='*.d.ts' -E '\bNodeJS\.' "$DTS"; then fail "the declarations use Node's global NodeJS namespace"; fi
cat > tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "skipLibCheck": false,
    "noEmit": true,
    "types": ["node"],
    "lib": ["ES2022", "DOM"]
  },
  "files": ["consumer.ts"]
}
JSON
cat > consumer.ts <<'TS'
import * as tf from '@tensorflow/tfjs';
import {
  JournalFileStorage,
  MedianPruner,
  NelderMeadSampler,
  TrialPruned,
  createStudy,
  type FrozenTrial,
  type Sampler,
  type Storage,
  type Trial,
} from 'tansaku';
import { Rng, fromUnit, type Distribution, type StudyView } from 'tansaku/extend';
import { runSamplerContract } from 'tansaku/testing';
import { train, useTrainingWasmBackend, type TrainResult } from 'tansaku/tfjs';

export class UniformSampler implements Sampler {
  readonly name = 'UniformSampler';
  sampleIndependent(study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): number {
    return fromUnit(distribution, Rng.forKey(study.seed, trial.number, name).random());
  }
}

export function registerContract(): void {
  runSamplerContract('UniformSampler', { make: () => new UniformSampler() });
}

export async function tune(path: string): Promise<FrozenTrial> {
  const storage: Storage = new JournalFileStorage(path);
  const sampler: Sampler = new NelderMeadSampler();
  const study = await createStudy({ direction: 'minimize', sampler, pruner: new MedianPruner(), storage });
  await study.optimize(
    (trial: Trial) => {
      const x = trial.suggestFloat('x', -5, 5);
      trial.report(x * x, 0);
      if (x > 4.9) throw new TrialPruned();
      return (x - 1) ** 2;
    },
    { nTrials: 3 },
  );
  return study.bestTrial;
}

export async function fit(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): Promise<TrainResult> {
  await useTrainingWasmBackend();
  return train(model, [x, y], { epochs: 1, batchSize: 8 });
}
TS
# @tensorflow/tfjs 4.22's own declarations do not pass strict checking (skipLibCheck: false reports errors in
# tfjs-core and tfjs-layers that no consumer can fix); every error elsewhere (Tansaku's declarations, the
# consumer file) fails the check.
npx tsc -p tsconfig.json > tsc.txt 2>&1 || true
ours="$(grep -E '^[^ ].*\([0-9]+,[0-9]+\): error' tsc.txt | grep -v '^node_modules/@tensorflow/' || true)"
if [ -n "$ours" ]; then cat tsc.txt; fail "the consumer file does not type-check against the published declarations"; fi
echo "consumer.ts type-checks with skipLibCheck: false ($(grep -c '^node_modules/@tensorflow/.*: error' tsc.txt || true) errors inside @tensorflow's own declarations, none elsewhere)"

step "npx tansaku optimize with an .mjs module objective"
cat > objective.mjs <<'JS'
export function objective(trial) {
  const x = trial.suggestFloat('x', -5, 5);
  return (x - 1) ** 2;
}
JS
npx tansaku optimize --objective objective.mjs --storage study.journal --study mjs --n-trials 8 --seed 1
npx tansaku trials --storage study.journal --study mjs --format json > trials.json
node -e "const t = JSON.parse(require('fs').readFileSync('trials.json', 'utf8')); if (t.length !== 8 || !t.every((x) => x.state === 'COMPLETE')) { console.error(t); process.exit(1); }" \
  || fail "the .mjs study does not hold 8 complete trials"

step "a .ts module objective without tsx: exit 2, naming tsx"
cat > objective.ts <<'TS'
import type { Trial } from 'tansaku';

export function objective(trial: Trial): number {
  const x: number = trial.suggestFloat('x', -5, 5);
  return (x - 1) ** 2;
}
TS
set +e
npx tansaku optimize --objective objective.ts --storage study.journal --study ts --n-trials 4 > ts-out.txt 2> ts-err.txt
code=$?
set -e
cat ts-err.txt
[ "$code" -eq 2 ] || fail "a .ts objective without tsx exited $code, not 2"
grep -q 'npm install tsx' ts-err.txt || fail "the error does not say how to install tsx"
npx tansaku studies --storage study.journal --format json > studies.json
if grep -q '"ts"' studies.json; then fail "the refused run created its study"; fi

step "the same .ts objective once tsx is installed"
npm install --prefer-offline --no-audit --no-fund --loglevel=error "tsx@$(version_of tsx)"
npx tansaku optimize --objective objective.ts --storage study.journal --study ts --n-trials 4 --seed 1

step "tansaku/tfjs: the wasm backend (no fallback) trains one batch"
cat > train.mjs <<'JS'
import * as tf from '@tensorflow/tfjs';
import { train, useTrainingWasmBackend } from 'tansaku/tfjs';

const info = await useTrainingWasmBackend({ fallback: 'throw' });
if (info.backend !== 'wasm' || tf.getBackend() !== 'wasm') {
  console.error(`the wasm backend did not start: ${JSON.stringify(info)}, active backend ${tf.getBackend()}`);
  process.exit(1);
}
const model = tf.sequential({
  layers: [tf.layers.dense({ inputShape: [4], units: 8, activation: 'relu' }), tf.layers.dense({ units: 3, activation: 'softmax' })],
});
const x = tf.randomNormal([16, 4], 0, 1, 'float32', 1);
const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0], 'int32'), 3);
const result = await train(model, [x, y], { epochs: 1, batchSize: 16, loss: 'categoricalCrossentropy', optimizer: 'adam' });
const loss = result.history.loss?.[0];
if (!Number.isFinite(loss)) {
  console.error(`no finite loss after one batch: ${JSON.stringify(result.history)}`);
  process.exit(1);
}
console.log(`trained one batch on ${tf.getBackend()}: loss ${loss}`);
JS
node train.mjs || fail "tansaku/tfjs did not train on the wasm backend"

printf '\ncheck-package: the packed library installs and works outside the repository\n'
