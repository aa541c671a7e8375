/**
 * The CLI's `--storage` argument: `memory:` (this process only), a journal file path (the embedded
 * default, shared by processes), or a URL, whose schemes other than `file:` are not supported yet.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, type Storage, InMemoryStorage, JournalFileStorage } from '../index.js';

export type StorageSpec = { kind: 'memory' } | { kind: 'journal'; path: string };

/** Parses a `--storage` argument. */
export function parseStorageSpec(spec: string): StorageSpec {
  const s = spec.trim();
  if (s.length === 0) throw new InvalidArgumentError('--storage is empty: give a journal file path (e.g. ./tansaku.journal) or memory:');
  if (s === 'memory:' || s === 'memory') return { kind: 'memory' };
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]+):/.exec(s);
  if (scheme) {
    const name = scheme[1].toLowerCase();
    if (name === 'file') {
      // `file:x.journal` and `file:./x.journal` mean a path relative to here (a URL parser would put them
      // at the filesystem root); `file:///abs/x.journal` is a file URL.
      if (!s.slice(scheme[0].length).startsWith('//')) return { kind: 'journal', path: resolve(s.slice(scheme[0].length)) };
      try {
        return { kind: 'journal', path: fileURLToPath(s) };
      } catch (error) {
        throw new InvalidArgumentError(`--storage ${s}: ${(error as Error).message}`);
      }
    }
    throw new InvalidArgumentError(
      `--storage ${s}: the "${name}:" storage is not supported yet; give a journal file path (e.g. ./tansaku.journal, shared by processes) or memory: (this process only)`,
    );
  }
  return { kind: 'journal', path: resolve(s) };
}

/**
 * Opens a storage. With `mustExist`, a journal path that does not exist is an error (commands that
 * only read or join a study should not create an empty journal by a typo).
 */
export function openStorage(spec: string, options: { mustExist?: boolean; readOnly?: boolean } = {}): Storage {
  const parsed = parseStorageSpec(spec);
  if (parsed.kind === 'memory') return new InMemoryStorage();
  if (existsSync(parsed.path) && statSync(parsed.path).isDirectory()) {
    throw new InvalidArgumentError(
      `--storage ${spec}: ${parsed.path} is a directory; give a journal file path such as ${resolve(parsed.path, 'tansaku.journal')}`,
    );
  }
  if (options.mustExist && !existsSync(parsed.path)) {
    throw new InvalidArgumentError(`--storage ${spec}: no journal file at ${parsed.path}`);
  }
  if (!existsSync(dirname(parsed.path))) {
    throw new InvalidArgumentError(`--storage ${spec}: the directory ${dirname(parsed.path)} does not exist`);
  }
  return new JournalFileStorage(parsed.path, { readOnly: options.readOnly });
}
