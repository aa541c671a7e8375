/**
 * Child-process bookkeeping shared by command objectives and worker pools: every child is started in
 * its own process group (so a trial's whole process tree can be signalled at once: a training script
 * and the data-loader processes it started), is tracked while alive, and is killed with SIGKILL when
 * this process exits by any path that runs `exit` handlers. Also: finding a program on PATH before
 * running anything, so a typo is reported once instead of as N failed trials.
 */
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

const live = new Set<number>();
let exitHookInstalled = false;

/** Whether children get their own process group (POSIX). */
export const OWN_PROCESS_GROUP = process.platform !== 'win32';

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of live) signalTree(pid, 'SIGKILL');
  });
}

/** Records a child (by pid) as alive; it is killed if this process exits first. */
export function trackChild(pid: number): void {
  installExitHook();
  live.add(pid);
}

/** Forgets a child that exited. */
export function untrackChild(pid: number): void {
  live.delete(pid);
}

/** Number of tracked children still alive. */
export function liveChildCount(): number {
  return live.size;
}

/** Sends SIGKILL to every tracked child's process tree, synchronously (for a forced exit). */
export function killAllChildren(): void {
  for (const pid of live) signalTree(pid, 'SIGKILL');
}

/**
 * Environment variables given to a child process. Declared here, not taken from Node's global namespace,
 * so that the published declarations need nothing from it.
 */
export type EnvironmentVariables = Record<string, string | undefined>;

/** A POSIX signal name such as `'SIGTERM'` (declared here for the same reason). */
export type SignalName = `SIG${string}`;

/**
 * Signals a child's process group (the child and everything it started), or the child alone where
 * process groups are not used. Returns false when nothing was there to signal.
 */
export function signalTree(pid: number, signal: SignalName): boolean {
  try {
    process.kill(OWN_PROCESS_GROUP ? -pid : pid, signal);
    return true;
  } catch {
    if (!OWN_PROCESS_GROUP) return false;
    try {
      // The group may be gone while the leader lingers (it left its group): signal it alone.
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

/** Where a program would be found, or why it would not be. */
export type ProgramLookup = { ok: true; path: string } | { ok: false; problem: string };

function executableFile(path: string): 'ok' | 'missing' | 'directory' | 'not executable' {
  let st: Stats;
  try {
    st = statSync(path);
  } catch {
    return 'missing';
  }
  if (st.isDirectory()) return 'directory';
  if (process.platform === 'win32') return 'ok';
  try {
    accessSync(path, constants.X_OK);
    return 'ok';
  } catch {
    return 'not executable';
  }
}

/**
 * Looks a program up as `execvp` would: a name with a slash is a path (relative to `cwd`), any other
 * name is searched in the directories of PATH.
 * @example findProgram('python3', process.cwd(), process.env) // { ok: true, path: '/usr/bin/python3' }
 */
export function findProgram(program: string, cwd: string, env: EnvironmentVariables = process.env): ProgramLookup {
  if (program.length === 0) return { ok: false, problem: 'command not found: the program name is empty' };
  if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(program)) {
    return {
      ok: false,
      problem: `command not found: ${program} looks like a shell variable assignment, but the command is not run through a shell; set ${program.split('=')[0]} in the environment of tansaku instead (it reaches the program)`,
    };
  }
  if (program.includes('/') || (process.platform === 'win32' && program.includes('\\'))) {
    const path = isAbsolute(program) ? program : resolve(cwd, program);
    const kind = executableFile(path);
    if (kind === 'ok') return { ok: true, path };
    if (kind === 'missing') return { ok: false, problem: `command not found: ${program} (no file ${path})` };
    if (kind === 'directory') return { ok: false, problem: `command not found: ${program} is a directory` };
    return {
      ok: false,
      problem: `permission denied: ${program} is not executable (chmod +x ${program}, or run it through its interpreter)`,
    };
  }
  let notExecutable: string | null = null;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const path = join(dir === '' ? cwd : resolve(cwd, dir), program);
    const kind = executableFile(path);
    if (kind === 'ok') return { ok: true, path };
    if (kind === 'not executable' && notExecutable === null) notExecutable = path;
  }
  if (notExecutable) return { ok: false, problem: `permission denied: ${notExecutable} is not executable` };
  return { ok: false, problem: `command not found: ${program} (not in any directory of PATH)` };
}
