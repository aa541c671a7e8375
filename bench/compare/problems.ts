/**
 * The harness's view of the problem registry (`bench/problems/index.ts`), plus its own `toy` group
 * (`toy-problems.ts`), with the subsets `--quick` runs and the budget rule.
 */
import { existsSync } from 'node:fs';
import { problemGroups, problemsInGroup, benchDataDir, type ProblemGroupInfo } from '../problems/index.js';
import type { BenchmarkProblem } from '../problems/problem.js';
import { toyProblems } from './toy-problems.js';

export interface GroupInfo {
  name: string;
  description: string;
  objectives: 'single' | 'multi';
  needsData: boolean;
}

const TOY: GroupInfo = {
  name: 'toy',
  description: "the harness's own tiny test problems (sphere, a mixed/conditional space, a two-objective problem)",
  objectives: 'single',
  needsData: false,
};

/** Every group: the registry's, then `toy` (which is never part of the default selection). */
export function allGroups(): GroupInfo[] {
  return [...problemGroups().map((g: ProblemGroupInfo) => ({ ...g })), TOY];
}

/** Groups run when `--groups` is not given: every registry group, minus those whose data folder is missing. */
export function defaultGroups(): GroupInfo[] {
  const haveData = existsSync(benchDataDir());
  return problemGroups()
    .filter((g) => !g.needsData || haveData)
    .map((g) => ({ ...g }));
}

/**
 * The groups of the full suite's summary: every registry group, whether or not its data folder is here,
 * since the summary reads the committed reports (a chunk of BBOB on a machine without the tabular data must
 * not drop the tabular groups' rows from `compare-summary.*`).
 *
 * @example suiteGroups() // ['bbob-d2', 'bbob-d5', …, 'hpobench', 'nasbench201', 'lcbench', 'zdt', 'dtlz']
 */
export function suiteGroups(): string[] {
  return problemGroups().map((g) => g.name);
}

export function groupInfo(name: string): GroupInfo {
  const g = allGroups().find((x) => x.name === name);
  if (g) return g;
  if (/^bbob-d\d+$/.test(name))
    return { name, description: `BBOB noiseless f1–f24, ${name.slice(6)}-D`, objectives: 'single', needsData: false };
  throw new Error(
    `unknown group ${JSON.stringify(name)}; known: ${allGroups()
      .map((x) => x.name)
      .join(', ')}`,
  );
}

/**
 * What `--quick` runs per group: a few problems chosen to be quick and different (a smooth and a
 * multi-modal function, a mixed and a conditional space, one two-objective problem), with a small budget.
 * Optuna's TPE dominates the time (its cost per trial grows with the trials and, for several objectives,
 * steeply with the number of parameters), hence 50 evaluations for the two-objective problem.
 */
const QUICK: Record<string, { ids: readonly string[]; budget: number }> = {
  'bbob-d5': { ids: ['bbob_f001_i01_d05', 'bbob_f015_i01_d05'], budget: 100 },
  classic: { ids: ['branin', 'hartmann6'], budget: 100 },
  mixed: { ids: ['mixed_levy_i2o2f2'], budget: 100 },
  conditional: { ids: ['conditional_models'], budget: 100 },
  dtlz: { ids: ['dtlz2_m2_k10'], budget: 50 },
};

/** Groups `--quick` runs when `--groups` is not given. */
export const QUICK_GROUPS = Object.keys(QUICK);

/** The `--budget` rule of quick runs (per group; 100 for a group not listed). */
export const QUICK_BUDGET = [...Object.entries(QUICK).map(([g, q]) => `${g}=${q.budget}`), '100'].join(',');
export const QUICK_SEEDS = 5;

const groupCache = new Map<string, BenchmarkProblem[]>();

/** The problems of a group (created once per process). */
export function loadGroup(name: string): BenchmarkProblem[] {
  let list = groupCache.get(name);
  if (!list) {
    list = name === 'toy' ? toyProblems() : problemsInGroup(name);
    groupCache.set(name, list);
  }
  return list;
}

/** The problems of a group that `--quick` runs (its first two where the group has no quick list or none of its ids). */
export function quickProblems(name: string): BenchmarkProblem[] {
  const all = loadGroup(name);
  const picked = all.filter((p) => QUICK[name]?.ids.includes(p.id));
  return picked.length > 0 ? picked : all.slice(0, 2);
}

/** Problem `id` of group `group` (throws if absent). */
export function findProblem(group: string, id: string): BenchmarkProblem {
  const p = loadGroup(group).find((x) => x.id === id);
  if (!p) throw new Error(`problem ${JSON.stringify(id)} is not in group ${JSON.stringify(group)}`);
  return p;
}

/**
 * The full suite's budget matrix (`--budget suite`, the default): what fits a 2-core machine. Optuna's TPE
 * costs about d·n² (bench/compare/README.md, "Budgets"), so the BBOB budgets fall from 100·d at d = 2 to
 * 200 at d = 20 and 40 (d = 5 and 10 at the Nelder-Mead tables' 50·d, whose runs they reuse); the other groups get
 * `auto`'s budget, at most 200 (35 single-objective problems × 20 seeds × two TPE variants at 500
 * evaluations would be ~40 CPU hours of Optuna alone).
 */
export const SUITE_BUDGETS: Readonly<Record<string, number>> = Object.freeze({
  'bbob-d2': 200,
  'bbob-d5': 250,
  'bbob-d10': 500,
  'bbob-d20': 200,
  'bbob-d40': 200,
});
const SUITE_CAP = 200;

/**
 * A budget rule: `suite` (the full suite's matrix, {@link SUITE_BUDGETS}), `auto` (100·d evaluations for
 * d ≤ 10, 500 above: 200 at d = 2, 500 at d = 5, 1000 at d = 10, 500 at d = 20 and 40), a number (fixed),
 * or `<k>d` (k·d). `--budget` may also give rules per group: `classic=50d,bbob-d40=300,suite` (the entry
 * without `=` is the default).
 */
export function parseBudgetRule(spec: string): (problem: BenchmarkProblem) => number {
  const entries = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const perGroup = new Map<string, string>();
  let fallback = 'suite';
  for (const e of entries) {
    const eq = e.indexOf('=');
    if (eq >= 0) perGroup.set(e.slice(0, eq).trim(), e.slice(eq + 1).trim());
    else fallback = e;
  }
  const one = (rule: string): ((p: BenchmarkProblem) => number) => {
    const auto = (p: BenchmarkProblem): number => (p.dimension <= 10 ? 100 * p.dimension : 500);
    if (rule === 'auto') return auto;
    if (rule === 'suite') return (p) => SUITE_BUDGETS[p.group] ?? Math.min(auto(p), SUITE_CAP);
    const m = /^(\d+)(d?)$/.exec(rule);
    if (!m || Number(m[1]) < 1)
      throw new Error(`bad budget rule ${JSON.stringify(rule)}: expected suite, auto, a number, or <k>d (k times the dimension)`);
    const k = Number(m[1]);
    return m[2] ? (p) => k * p.dimension : () => k;
  };
  const rules = new Map([...perGroup].map(([g, r]) => [g, one(r)]));
  const def = one(fallback);
  return (p) => (rules.get(p.group) ?? def)(p);
}
