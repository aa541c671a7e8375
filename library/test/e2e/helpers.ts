// Runs the `tansaku` command (bin/tansaku.mjs) as a user would, in a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after } from 'node:test';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'tansaku.mjs');
export const FIX = join(ROOT, 'test', 'fixtures', 'cli');
/** `node` as a quoted command word. */
export const NODE = JSON.stringify(process.execPath);
/** The space file of the CLI fixtures (x float, y int). */
export const SPACE = join(FIX, 'space.json');
/** A quick command objective over SPACE. */
export const QUADRATIC = `${NODE} ${JSON.stringify(join(FIX, 'quadratic.mjs'))} --x={x} --y={y}`;

/** Fresh working folders for one test file, under one temp folder removed when the file's tests end. */
export function workdirs(prefix: string): () => string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(root, { recursive: true, force: true }));
  let count = 0;
  return () => {
    const dir = join(root, `w${++count}`);
    mkdirSync(dir);
    return dir;
  };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI; `result` resolves when it exits. */
export function startCli(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): { child: ChildProcess; result: Promise<CliResult> } {
  const env = { ...process.env, ...options.env };
  delete env.TANSAKU_STORAGE;
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const result = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, result };
}

/** Runs the CLI to completion (killed after `timeoutMs`). */
export async function cli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliResult> {
  const { child, result } = startCli(args, options);
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  try {
    return await result;
  } finally {
    clearTimeout(timer);
  }
}

/** Parses `tansaku trials --format json` output. */
export function parseTrials(stdout: string): Array<{
  number: number;
  state: string;
  values: number[] | null;
  params: Record<string, unknown>;
  userAttrs: Record<string, unknown>;
  systemAttrs: Record<string, unknown>;
  workerId: string | null;
}> {
  return JSON.parse(stdout);
}

/**
 * Polls `tansaku trials` on a journal in `cwd` (every 100 ms, up to 10 s) until `ready` holds for the
 * study's trials, e.g. until one is RUNNING; returns whether it did.
 */
export async function waitForTrials(
  cwd: string,
  study: string,
  ready: (trials: ReturnType<typeof parseTrials>) => boolean,
  storage = 'j.journal',
): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    const r = await cli(['trials', '--storage', storage, '--study', study, '--format', 'json'], { cwd });
    if (r.code === 0 && ready(parseTrials(r.stdout))) return true;
    await new Promise((res) => setTimeout(res, 100));
  }
  return false;
}

/** The pid part of a worker id `host:pid:tag`. */
export function pidOf(workerId: string | null): string {
  return workerId?.split(':')[1] ?? '';
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Whether a process runs (a zombie, dead but not yet reaped by init, counts as gone). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return true;
  }
}
