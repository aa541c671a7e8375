// I/O thread of the Optuna bridge (see optuna-bridge.ts). Plain JavaScript so it loads without tsx.
//
// The main thread must call Optuna synchronously (a problem's `evaluate` calls `suggestFloat` and needs the
// value back before it returns), so it cannot wait for a child process's output on its own event loop.
// This worker thread owns the python process instead: it writes each request the main thread posts to
// python's stdin, and posts each line python writes back, then wakes the main thread, which sleeps in
// Atomics.wait and takes the reply with receiveMessageOnPort. If python cannot be started or exits, every
// waiting and later call gets a reply saying so (with the tail of python's stderr).
import { spawn } from 'node:child_process';
import { workerData } from 'node:worker_threads';

const { python, script, port, signal, env } = workerData;
const flag = new Int32Array(signal);
let fatal = null;
let stderrTail = '';
let pending = 0;

function deliver(message) {
  port.postMessage(message);
  Atomics.add(flag, 0, 1);
  Atomics.notify(flag, 0);
}

function fail(error) {
  if (fatal) return;
  fatal = { ok: false, fatal: true, error };
  // Answer everything still waiting (the hello included), then every later request.
  const n = Math.max(pending, 1);
  pending = 0;
  for (let i = 0; i < n; i++) deliver(fatal);
}

const child = spawn(python, [script], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...env, PYTHONUNBUFFERED: '1' } });
pending = 1; // the hello line
child.on('error', (err) => {
  fail(
    err && err.code === 'ENOENT'
      ? `${python} was not found: the Optuna bridge needs Python 3 with Optuna 3.x (Debian: apt-get install -y python3-optuna)`
      : `cannot start ${python}: ${err?.message}`,
  );
});
child.stdin.on('error', () => {
  /* EPIPE when python died; reported by 'exit' */
});
child.stderr.setEncoding('utf8');
child.stderr.on('data', (s) => {
  stderrTail = (stderrTail + s).slice(-4000);
});
let buffer = '';
child.stdout.setEncoding('utf8');
child.stdout.on('data', (s) => {
  buffer += s;
  for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
    const line = buffer.slice(0, nl);
    buffer = buffer.slice(nl + 1);
    if (!line.trim()) continue;
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      message = { ok: false, error: `the bridge wrote a line that is not JSON: ${line.slice(0, 200)}` };
    }
    if (message?.fatal) {
      fail(String(message.error));
      return;
    }
    pending--;
    deliver(message);
  }
});
// 'close' (not 'exit'): fires after python's stdout is drained, so no reply is lost.
child.on('close', (code, sig) => {
  const tail = stderrTail.trim() ? `; stderr: ${stderrTail.trim().split('\n').slice(-15).join('\n')}` : '';
  if (fatal) return;
  if (pending > 0 || !closing) fail(`the Optuna bridge (${python} ${script}) exited (${sig ? `signal ${sig}` : `status ${code}`})${tail}`);
  else {
    fatal = { ok: false, fatal: true, error: 'the Optuna bridge is closed' };
    deliver({ ok: true, exited: code });
  }
});

let closing = false;
port.on('message', (request) => {
  if (fatal) {
    deliver(fatal);
    return;
  }
  if (request === 'kill') {
    child.kill('SIGKILL');
    return;
  }
  if (request === 'quit') {
    closing = true;
    child.stdin.end('{"op":"quit"}\n');
    return;
  }
  pending++;
  child.stdin.write(`${request}\n`);
});
