/**
 * What another process needs to join a study started by `tansaku optimize`, stored with the study as
 * the system attribute `tansaku:cli_settings` (a JSON object; Optuna keeps and ignores it):
 *
 * ```json
 * {
 *   "version": 1,
 *   "objective": {"kind": "command", "command": "python3 train.py --lr {lr}", "cwd": "/home/me/proj"},
 *   "space": {"lr": {"type": "float", "low": 1e-05, "high": 0.1, "log": true, "step": null}},
 *   "sampler": {"name": "random", "options": {}},
 *   "pruner": {"name": "median", "options": {"nWarmupSteps": 2}},
 *   "directions": ["minimize"],
 *   "nTrials": 100,
 *   "nJobs": 4,
 *   "trialTimeout": 600,
 *   "killGrace": 5
 * }
 * ```
 *
 * `objective` is `{"kind": "module", "module": "/abs/path/objective.ts"}` for `--objective`. The trial
 * budget itself is the study's `tansaku:max_trials` attribute, shared by every process; `nTrials`
 * records what was asked. `tansaku worker --storage P --study S` needs nothing else.
 */
import { checkPrunerName, checkSamplerName, type ComponentOptions } from './components.js';
import { type SearchSpace, InvalidArgumentError, type JsonValue, type StudyDirection } from '../index.js';
import { validateDistribution, describeValue } from '../extend.js';
import { setName } from '../core/records.js';

export const CLI_SETTINGS_ATTR = 'tansaku:cli_settings';

export type ObjectiveSpec = { kind: 'command'; command: string; cwd: string } | { kind: 'module'; module: string };

export interface CliSettings {
  version: 1;
  objective: ObjectiveSpec;
  space: SearchSpace | null;
  sampler: { name: string; options: ComponentOptions };
  pruner: { name: string; options: ComponentOptions };
  directions: StudyDirection[];
  nTrials: number | null;
  nJobs: number;
  trialTimeout: number | null;
  killGrace: number;
}

/** The settings as the JSON value stored in the study. */
export function settingsToJson(s: CliSettings): JsonValue {
  return JSON.parse(JSON.stringify(s)) as JsonValue;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads settings back from a study attribute, checking every field. */
export function settingsFromJson(raw: unknown, studyName: string): CliSettings {
  const bad = (what: string): never => {
    throw new InvalidArgumentError(
      `study ${JSON.stringify(studyName)}: its stored ${CLI_SETTINGS_ATTR} are invalid (${what}); run tansaku optimize again to store new ones`,
    );
  };
  if (!isObject(raw)) return bad(`expected an object, got ${describeValue(raw)}`);
  if (raw.version !== 1) bad(`unknown version ${describeValue(raw.version)}`);
  const o = raw.objective;
  let objective: ObjectiveSpec;
  if (isObject(o) && o.kind === 'command' && typeof o.command === 'string' && typeof o.cwd === 'string') {
    objective = { kind: 'command', command: o.command, cwd: o.cwd };
  } else if (isObject(o) && o.kind === 'module' && typeof o.module === 'string') {
    objective = { kind: 'module', module: o.module };
  } else {
    return bad(`objective ${describeValue(o)}`);
  }
  let space: SearchSpace | null = null;
  if (raw.space !== null && raw.space !== undefined) {
    if (!isObject(raw.space)) bad('space');
    space = {};
    for (const [name, d] of Object.entries(raw.space as Record<string, unknown>)) setName(space, name, validateDistribution(name, d));
  }
  const component = (v: unknown, what: string): { name: string; options: ComponentOptions } => {
    if (!isObject(v) || typeof v.name !== 'string' || !isObject(v.options)) return bad(what);
    return { name: v.name, options: v.options as ComponentOptions };
  };
  const sampler = component(raw.sampler, 'sampler');
  checkSamplerName(sampler.name);
  const pruner = component(raw.pruner, 'pruner');
  checkPrunerName(pruner.name);
  const directions = raw.directions;
  if (!Array.isArray(directions) || directions.length === 0 || directions.some((d) => d !== 'minimize' && d !== 'maximize'))
    bad('directions');
  const num = (v: unknown, what: string, nullable: boolean): number | null => {
    if (v === null && nullable) return null;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return bad(what);
    return v as number;
  };
  return {
    version: 1,
    objective,
    space,
    sampler,
    pruner,
    directions: directions as StudyDirection[],
    nTrials: num(raw.nTrials ?? null, 'nTrials', true),
    nJobs: num(raw.nJobs ?? 1, 'nJobs', false) as number,
    trialTimeout: num(raw.trialTimeout ?? null, 'trialTimeout', true),
    killGrace: num(raw.killGrace ?? 5, 'killGrace', false) as number,
  };
}
