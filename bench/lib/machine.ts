/** What a benchmark records about the machine and the code it measured. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

/** Runs a command and returns its trimmed stdout, or null when it fails. */
export function sh(cmd: string, args: readonly string[], cwd?: string): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** The load average (1, 5, 15 min), rounded to 2 decimals. */
export function loadavg(): number[] {
  return os.loadavg().map((v) => Math.round(v * 100) / 100);
}

export interface MachineInfo {
  date: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  commit: string | null;
  /** `git status --porcelain` of the paths given to {@link machineInfo} ('' when clean). */
  dirty: string | null;
  loadavgStart: number[];
  loadavgEnd?: number[];
  [key: string]: unknown;
}

/** CPU, cores, memory, OS, Node, git commit (and whether `paths` have uncommitted changes), load average. */
export function machineInfo(root: string, paths: readonly string[] = ['library/src']): MachineInfo {
  let cpu = 'unknown';
  try {
    cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {
    /* not Linux */
  }
  return {
    date: new Date().toISOString(),
    cpu,
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    commit: sh('git', ['-C', root, 'rev-parse', '--short', 'HEAD']),
    dirty: sh('git', ['-C', root, 'status', '--porcelain', '--', ...paths]),
    loadavgStart: loadavg(),
  };
}

/** The filesystem type and device of a directory (`df -T`), e.g. "ext4 (/dev/vda)". */
export function filesystemOf(dir: string): string {
  const out = sh('df', ['-T', dir]);
  const fields = out?.split('\n')[1]?.trim().split(/\s+/);
  return fields && fields.length >= 2 ? `${fields[1]} (${fields[0]}, mounted on ${fields.at(-1)})` : 'unknown';
}

/**
 * A digest of the files under `paths` (relative to `root`), to notice code that changed while a
 * benchmark ran (other work may edit the working tree meanwhile).
 */
export function sourceDigest(root: string, paths: readonly string[]): string {
  const hash = createHash('sha1');
  const walk = (path: string): void => {
    let st: Stats;
    try {
      st = statSync(path);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(path).sort()) walk(join(path, name));
    } else if (st.isFile()) {
      hash.update(path).update(readFileSync(path));
    }
  };
  for (const p of paths) walk(join(root, p));
  return hash.digest('hex');
}

/**
 * Records on `machine` whether the sources under `paths` changed since `digestAtStart` (from
 * {@link sourceDigest}), and warns when they did: the rows may then mix code versions.
 */
export function noteCodeChange(machine: object, root: string, paths: readonly string[], digestAtStart: string): boolean {
  const changed = sourceDigest(root, paths) !== digestAtStart;
  Object.assign(machine, { codeChangedDuringRun: changed });
  if (changed)
    console.error(
      `WARNING: files under ${paths.join(', ')} changed during this run (the tree was edited meanwhile?): the rows may mix code versions; run it again`,
    );
  return changed;
}

/** "commit" or "commit + uncommitted changes in a, b", from {@link machineInfo}'s fields. */
export function describeCode(m: MachineInfo): string {
  if (!m.commit) return 'unknown';
  if (!m.dirty) return m.commit;
  const files = m.dirty
    .split('\n')
    .map((l) => l.replace(/^\s*\S+\s+/, '').trim())
    .filter(Boolean);
  return `${m.commit} + uncommitted changes in ${files.join(', ')}`;
}
