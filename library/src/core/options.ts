/**
 * Checking options objects: a plain-JavaScript caller's typo (`{ n_trials: 10 }`) is an error naming the
 * option it probably meant, not a run that silently ignores it; a renamed option keeps working, with a
 * warning naming its new name, until 1.0.
 *
 * @example
 * const o = checkOptions('HillClimbingSampler', options, ['seed', 'start', 'onConverge'], { onPeak: 'onConverge' });
 */
import { InvalidArgumentError, describeValue } from './errors.js';

/** Edit distance with adjacent transpositions (optimal string alignment), for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The candidate closest to `word` when it is close enough to be a likely typo (case and `_`/`-` ignored). */
export function closest(word: string, candidates: readonly string[]): string | null {
  const fold = (s: string) => s.toLowerCase().replace(/[_-]/g, '');
  let best: string | null = null;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(fold(word), fold(c));
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== null && bestD <= Math.max(1, Math.floor(best.length / 3)) ? best : null;
}

/** Warns, once per process and old name, that an option was renamed. */
const warned = new Set<string>();
export function warnRenamedOption(owner: string, oldName: string, newName: string, where = ''): void {
  const key = `${owner}\u0000${oldName}`;
  if (warned.has(key)) return;
  warned.add(key);
  process.emitWarning(`${owner}: option "${oldName}"${where} is deprecated and will be removed in 1.0; use "${newName}"`, {
    code: 'TANSAKU_DEPRECATED_OPTION',
  });
}

/**
 * Checks that `options` is undefined or a plain object whose keys are all in `allowed` (or are old names
 * in `renamed`, which are read as their new names with a warning); returns a copy with old names
 * replaced. Throws `InvalidArgumentError` naming the unknown key, the likely intended one and the list.
 */
export function checkOptions<T extends object>(
  owner: string,
  options: T | undefined,
  allowed: readonly string[],
  renamed: Readonly<Record<string, string>> = {},
): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidArgumentError(`${owner}: options must be an object, got ${describeValue(options)}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    const renamedTo = Object.hasOwn(renamed, key) ? renamed[key] : undefined;
    if (renamedTo !== undefined) {
      if (Object.hasOwn(options, renamedTo)) {
        throw new InvalidArgumentError(`${owner}: give "${renamedTo}" only; "${key}" is its old name`);
      }
      warnRenamedOption(owner, key, renamedTo);
      out[renamedTo] = value;
      continue;
    }
    if (!allowed.includes(key)) {
      const hint = closest(key, [...allowed, ...Object.keys(renamed)]);
      const meant = hint === null ? null : (renamed[hint] ?? hint);
      throw new InvalidArgumentError(
        `${owner}: unknown option ${JSON.stringify(key)}${meant ? ` (did you mean "${meant}"?)` : ''}; its options: ${allowed.join(', ')}`,
      );
    }
    out[key] = value;
  }
  return out as T;
}
