/**
 * The search-space file of `tansaku optimize --space`: JSON or YAML, an object of parameter name to
 * definition.
 *
 * ```json
 * {
 *   "lr":     {"type": "float", "low": 1e-5, "high": 1e-1, "log": true},
 *   "drop":   {"type": "float", "low": 0.0, "high": 0.5, "step": 0.1},
 *   "layers": {"type": "int", "low": 1, "high": 4},
 *   "width":  {"type": "ordinal", "values": [16, 32, 64]},
 *   "act":    {"type": "categorical", "choices": ["relu", "tanh"]}
 * }
 * ```
 *
 * Keys per type: float `low`, `high`, optional `log` (false), `step` (none); int `low`, `high`,
 * optional `log` (false), `step` (1); ordinal `values` (ordered: samplers move along them);
 * categorical `choices` (unordered). Every error names the file, the parameter and the problem.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { duplicateJsonKey } from './json-keys.js';
import { InvalidDistributionError, TansakuError, type Distribution, type SearchSpace } from '../index.js';
import { describeValue, validateDistribution, closest, paramEnvName } from '../extend.js';
import { setName } from '../core/records.js';

/** A space file could not be read or is invalid. */
export class SpaceFileError extends TansakuError {
  constructor(message: string) {
    super('TANSAKU_INVALID_SPACE', message);
  }
}

const KEYS: Record<Distribution['type'], { required: string[]; optional: string[] }> = {
  float: { required: ['low', 'high'], optional: ['log', 'step'] },
  int: { required: ['low', 'high'], optional: ['log', 'step'] },
  ordinal: { required: ['values'], optional: [] },
  categorical: { required: ['choices'], optional: [] },
};
const TYPES = Object.keys(KEYS) as Array<Distribution['type']>;
const EXAMPLE = '{"type": "float", "low": 0.001, "high": 0.1}';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kindOf(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  return `${typeof v === 'object' ? 'an object' : `a ${typeof v}`} (${describeValue(v)})`;
}

/**
 * Validates a parsed space (e.g. an object from JSON) and returns the distributions, in file order.
 * `source` names the file in messages.
 */
export function parseSpace(raw: unknown, source: string): SearchSpace {
  const fail = (message: string): never => {
    throw new SpaceFileError(`space file ${source}: ${message}`);
  };
  if (!isPlainObject(raw)) {
    fail(`expected an object of parameter name -> definition such as {"lr": ${EXAMPLE}}, got ${kindOf(raw)}`);
  }
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) fail('defines no parameters');
  const space: SearchSpace = {};
  const envNames = new Map<string, string>();
  for (const [name, def] of entries) {
    const where = `parameter ${JSON.stringify(name)}`;
    if (name.trim().length === 0) fail(`a parameter name is empty`);
    if (/[{}]/.test(name)) fail(`${where}: a name must not contain { or } (they mark placeholders in commands)`);
    const env = paramEnvName(name);
    const clash = envNames.get(env);
    if (clash !== undefined)
      fail(`parameters ${JSON.stringify(clash)} and ${JSON.stringify(name)} both become the environment variable ${env}; rename one`);
    envNames.set(env, name);
    if (!isPlainObject(def)) fail(`${where}: expected an object like ${EXAMPLE}, got ${kindOf(def)}`);
    const d = def as Record<string, unknown>;
    if (!('type' in d)) fail(`${where}: missing "type" (one of ${TYPES.map((t) => `"${t}"`).join(', ')})`);
    if (typeof d.type !== 'string' || !(TYPES as string[]).includes(d.type)) {
      const hint = typeof d.type === 'string' ? closest(d.type, TYPES) : null;
      fail(
        `${where}: unknown type ${describeValue(d.type)}${hint ? ` (did you mean "${hint}"?)` : ''}; expected one of ${TYPES.map((t) => `"${t}"`).join(', ')}`,
      );
    }
    const type = d.type as Distribution['type'];
    const allowed = ['type', ...KEYS[type].required, ...KEYS[type].optional];
    for (const key of Object.keys(d)) {
      if (allowed.includes(key)) continue;
      const hint = closest(key, allowed);
      fail(
        `${where}: unknown key ${JSON.stringify(key)}${hint ? ` (did you mean "${hint}"?)` : ''}; a ${type} parameter takes ${allowed.map((k) => `"${k}"`).join(', ')}`,
      );
    }
    for (const key of KEYS[type].required) {
      if (!(key in d) || d[key] === null || d[key] === undefined)
        fail(`${where}: missing "${key}" (a ${type} parameter needs ${KEYS[type].required.map((k) => `"${k}"`).join(' and ')})`);
    }
    if (type === 'float' || type === 'int') {
      for (const key of ['low', 'high', 'step']) {
        if (d[key] === undefined || (key === 'step' && d[key] === null)) continue;
        if (typeof d[key] !== 'number' || !Number.isFinite(d[key] as number))
          fail(`${where}: "${key}" must be a finite number, got ${kindOf(d[key])}`);
        if (type === 'int' && !Number.isInteger(d[key]))
          fail(`${where}: "${key}" of an int parameter must be an integer, got ${describeValue(d[key])}`);
      }
      if (d.log !== undefined && typeof d.log !== 'boolean') fail(`${where}: "log" must be true or false, got ${kindOf(d.log)}`);
    } else {
      const key = type === 'ordinal' ? 'values' : 'choices';
      if (!Array.isArray(d[key])) fail(`${where}: "${key}" must be an array, got ${kindOf(d[key])}`);
      if ((d[key] as unknown[]).length === 0) fail(`${where}: "${key}" is empty; give at least one value`);
    }
    try {
      setName(space, name, validateDistribution(name, d));
    } catch (error) {
      if (error instanceof InvalidDistributionError) fail(error.message);
      throw error;
    }
  }
  return space;
}

/** Parses space text; the format comes from the extension (`.json`, `.yaml`, `.yml`), else JSON is tried, then YAML. */
export function parseSpaceText(text: string, source: string): SearchSpace {
  const ext = extname(source).toLowerCase();
  let raw: unknown;
  if (ext === '.json' || (ext !== '.yaml' && ext !== '.yml' && /^\s*[{[]/.test(text))) {
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new SpaceFileError(`space file ${source} is not valid JSON: ${(error as Error).message}`);
    }
    const duplicate = duplicateJsonKey(text);
    if (duplicate) {
      throw new SpaceFileError(
        `space file ${source}, line ${duplicate.line}: key ${JSON.stringify(duplicate.key)} appears twice in the same object; JSON keeps only the last, so give each key once`,
      );
    }
  } else {
    try {
      raw = parseYaml(text);
    } catch (error) {
      throw new SpaceFileError(`space file ${source} is not valid YAML: ${(error as Error).message.split('\n')[0].replace(/:\s*$/, '')}`);
    }
  }
  return parseSpace(raw, source);
}

/** Reads and validates a space file. */
export function readSpaceFile(path: string): SearchSpace {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new SpaceFileError(
      code === 'ENOENT' ? `space file ${path} does not exist` : `cannot read space file ${path}: ${(error as Error).message}`,
    );
  }
  return parseSpaceText(text, path);
}
