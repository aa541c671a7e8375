/**
 * Counts calls to a few synchronous `node:fs` functions (and the time spent in them) in the current
 * process, so a benchmark can report how many fsyncs and lock attempts a storage makes per trial
 * instead of assuming it. The wrappers replace the functions on the `fs` module object and are
 * propagated to ES-module namespaces (`import * as fs from 'node:fs'`) with `syncBuiltinESMExports`,
 * so code that calls `fs.fsyncSync(...)` at run time goes through them. Cost: two `performance.now()`
 * calls and an increment per call (well under a microsecond, against ~100 µs for an fsync). With
 * `symlinkSync` and `renameSync` (or `unlinkSync`) wrapped, {@link lockHold} also sums the time a symlink lock
 * (`<file>.lock`, the journal's) was held.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';

export interface CallCount {
  calls: number;
  /** Calls that threw (e.g. EEXIST from `symlinkSync` when the lock is held by someone else). */
  errors: number;
  ms: number;
}

export type FsCounters = Record<string, CallCount>;

const counters: FsCounters = {};

/**
 * Time a lock was held: from a successful `symlinkSync(target, '<file>.lock')` to its release,
 * `renameSync('<file>.lock', ...)` (Optuna) or `unlinkSync('<file>.lock')` (Tansaku).
 */
export const lockHold = { count: 0, ms: 0, since: -1 };

function onLockCall(name: string, args: unknown[], ok: boolean, at: number): void {
  if (name === 'symlinkSync' && ok && String(args[1]).endsWith('.lock')) lockHold.since = at;
  else if ((name === 'renameSync' || name === 'unlinkSync') && ok && String(args[0]).endsWith('.lock') && lockHold.since >= 0) {
    lockHold.count++;
    lockHold.ms += at - lockHold.since;
    lockHold.since = -1;
  }
}

/** Wraps the named `fs` functions (once per process) and returns the live counters. */
export function installFsCounters(names: readonly string[]): FsCounters {
  const require = createRequire(import.meta.url);
  const fs = require('node:fs') as Record<string, unknown>;
  for (const name of names) {
    if (counters[name]) continue;
    const original = fs[name];
    if (typeof original !== 'function') throw new Error(`fs.${name} is not a function`);
    const c: CallCount = { calls: 0, errors: 0, ms: 0 };
    counters[name] = c;
    fs[name] = function counted(this: unknown, ...args: unknown[]): unknown {
      const t = performance.now();
      c.calls++;
      let ok = false;
      try {
        const r = (original as (...a: unknown[]) => unknown).apply(this, args);
        ok = true;
        return r;
      } catch (error) {
        c.errors++;
        throw error;
      } finally {
        const t1 = performance.now();
        c.ms += t1 - t;
        // symlink: the lock is held from the end of the call; rename/unlink: released at its start.
        onLockCall(name, args, ok, name === 'symlinkSync' ? t1 : t);
      }
    };
  }
  syncBuiltinESMExports();
  return counters;
}

/** Sets every counter back to zero (e.g. at the start of the timed region). */
export function resetFsCounters(): void {
  lockHold.count = 0;
  lockHold.ms = 0;
  for (const c of Object.values(counters)) {
    c.calls = 0;
    c.errors = 0;
    c.ms = 0;
  }
}

/** A copy of the counters, for a result. */
export function snapshotFsCounters(): FsCounters {
  return Object.fromEntries(Object.entries(counters).map(([k, v]) => [k, { ...v }]));
}
