/**
 * Compares bench/problems/bbob.ts with the BBOB reference values computed with COCO
 * (`<bench data>/bbob/reference.json`, see ../shared/bench/README.md). For every function, over all instances,
 * dimensions and points: the largest relative error of f, the largest error relative to the size of the
 * terms that make up f (max(|f|, |fopt|, |f - fopt|): f values next to 0 come from cancelling fopt), the
 * largest relative error of fopt, the largest absolute error of xopt and the largest |f(xopt) - fopt|.
 *
 * Usage: node bench/scripts/bench.mjs scripts/check-bbob-reference.ts   (env TANSAKU_BENCH_DATA overrides the data folder,
 * default ../shared/bench relative to the repository root). Exits with status 1 if an f is off by more than
 * 1e-10 in the scaled measure, an fopt by more than 1e-15 relative or an xopt by more than 1e-12.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bbobProblem } from '../problems/bbob.js';

interface RefPoint {
  x: number[];
  f: number;
}
interface RefProblem {
  id: string;
  function: number;
  instance: number;
  dimension: number;
  fopt: number;
  xopt: number[];
  points: RefPoint[];
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = process.env.TANSAKU_BENCH_DATA ?? resolve(root, '../shared/bench');
const file = resolve(dataDir, 'bbob/reference.json');
const ref = JSON.parse(readFileSync(file, 'utf8')) as { problems: RefProblem[] };

const rel = (a: number, b: number): number => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(b), 1e-300));
interface Stats {
  n: number;
  f: number;
  scaled: number;
  worst: string;
  fopt: number;
  xopt: number;
  atOpt: number;
}
const stats = new Map<number, Stats>();
for (const p of ref.problems) {
  const prob = bbobProblem(p.function, p.instance, p.dimension);
  let s = stats.get(p.function);
  if (s === undefined) {
    s = { n: 0, f: 0, scaled: 0, worst: '', fopt: 0, xopt: 0, atOpt: 0 };
    stats.set(p.function, s);
  }
  if (prob.id !== p.id) throw new Error(`id mismatch: ${prob.id} vs ${p.id}`);
  s.fopt = Math.max(s.fopt, rel(prob.fopt, p.fopt));
  for (let i = 0; i < p.dimension; i++) s.xopt = Math.max(s.xopt, Math.abs(prob.xopt[i] - p.xopt[i]));
  s.atOpt = Math.max(s.atOpt, Math.abs(prob.evaluate(prob.xopt) - prob.fopt));
  for (const pt of p.points) {
    const y = prob.evaluate(pt.x);
    const e = rel(y, pt.f);
    const scale = Math.max(Math.abs(pt.f), Math.abs(p.fopt), Math.abs(pt.f - p.fopt));
    s.scaled = Math.max(s.scaled, y === pt.f ? 0 : Math.abs(y - pt.f) / scale);
    s.n++;
    if (e > s.f) {
      s.f = e;
      s.worst = `${p.id} f=${pt.f}`;
    }
  }
}
let ok = true;
console.log('fn  points  max rel err f  max scaled err f  max rel err fopt  max abs err xopt  max |f(xopt)-fopt|  worst rel err f');
for (const [fn, s] of [...stats.entries()].sort((a, b) => a[0] - b[0])) {
  if (!(s.scaled <= 1e-10) || !(s.fopt <= 1e-15) || !(s.xopt <= 1e-12)) ok = false;
  console.log(
    `${String(fn).padStart(2)}  ${String(s.n).padStart(6)}  ${s.f.toExponential(2).padStart(13)}  ` +
      `${s.scaled.toExponential(2).padStart(16)}  ` +
      `${s.fopt.toExponential(2).padStart(16)}  ${s.xopt.toExponential(2).padStart(16)}  ` +
      `${s.atOpt.toExponential(2).padStart(18)}  ${s.worst}`,
  );
}
console.log(ok ? 'OK: all functions match the COCO reference' : 'MISMATCH: see above');
process.exitCode = ok ? 0 : 1;
