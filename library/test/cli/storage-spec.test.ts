/** The CLI's `--storage` argument (src/cli/storage.ts). */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parseStorageSpec } from '../../src/cli/storage.js';

describe('parseStorageSpec', () => {
  it('reads a path, memory:, and file: forms; a relative file: path stays relative to the working directory', () => {
    assert.deepEqual(parseStorageSpec('memory:'), { kind: 'memory' });
    assert.deepEqual(parseStorageSpec('./a.journal'), { kind: 'journal', path: resolve('a.journal') });
    assert.deepEqual(parseStorageSpec('file:x.journal'), { kind: 'journal', path: resolve('x.journal') });
    assert.deepEqual(parseStorageSpec('file:./sub/x.journal'), { kind: 'journal', path: resolve('sub/x.journal') });
    assert.deepEqual(parseStorageSpec('file:/tmp/x.journal'), { kind: 'journal', path: '/tmp/x.journal' });
    assert.deepEqual(parseStorageSpec('file:///tmp/y%20z.journal'), { kind: 'journal', path: '/tmp/y z.journal' });
  });
  it('refuses empty and unsupported storages, naming what works', () => {
    assert.throws(() => parseStorageSpec('  '), /--storage is empty/);
    assert.throws(() => parseStorageSpec('sqlite:///x.db'), /the "sqlite:" storage is not supported yet; give a journal file path/);
  });
});
