import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { it } from 'node:test';

it('SIGINT stops optimize cleanly: running trials are failed as interrupted, finished ones kept', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/sigint-optimize.ts'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child did not start: ${err}`)), 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('started')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  await new Promise((r) => setTimeout(r, 100));
  const t0 = Date.now();
  child.kill('SIGINT');
  const code = await exit;
  assert.ok(Date.now() - t0 < 10_000, `the process took ${Date.now() - t0} ms to exit after SIGINT`);
  assert.equal(code, 130, `exit code; stderr: ${err}`);
  const states = JSON.parse(out.trim().split('\n').at(-1)!) as [string, string | null][];
  assert.deepEqual(
    states.slice(0, 2).map((s) => s[0]),
    ['COMPLETE', 'COMPLETE'],
  );
  const running = states.slice(2);
  assert.equal(running.length, 2);
  for (const [state, reason] of running) {
    assert.equal(state, 'FAIL');
    assert.match(String(reason), /interrupted \(SIGINT\)/);
  }
});
