/** Runs a benchmark's measuring child process and reads back its one `RESULT <json>` line. */
import { spawn } from 'node:child_process';

/**
 * Spawns `command args` in `cwd`, collects its output and resolves with the JSON of its stdout line that
 * starts with `RESULT `; rejects, with the tails of stderr and stdout, when it exits non-zero or prints none.
 */
export function runResultChild<T>(command: string, args: readonly string[], cwd: string): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) {
        reject(new Error(`${command} ${args.join(' ')} exited with ${code}\n${stderr.slice(-2000)}${stdout.slice(-1000)}`));
        return;
      }
      resolvePromise(JSON.parse(line.slice('RESULT '.length)) as T);
    });
  });
}
