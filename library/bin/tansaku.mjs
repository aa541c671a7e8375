#!/usr/bin/env node
// The `tansaku` command. In the repository (src/ present) it runs the TypeScript sources through tsx's
// ESM loader; in an installed package it runs the compiled dist/.
import { existsSync } from 'node:fs';

// `tansaku trials | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// Tansaku's own warnings (a torn journal line repaired, a stale lock broken, a bad objective value) in
// the command's voice, not as Node's "(node:PID) Warning: ... (Use `node --trace-warnings ...`)".
// Messages quote names and values that may hold terminal escapes: shown escaped once the CLI is loaded.
let show = (text) => text;
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  process.stderr.write(`tansaku: warning: ${warning.message.split('\n').map(show).join('\n')}\n`);
});

const source = new URL('../src/cli/main.ts', import.meta.url);
let cli;
if (existsSync(source)) {
  // In the repository: `import 'tansaku'` in an objective module, in this process and in every process
  // it starts (workers, command objectives), resolves to the same TypeScript sources as the command itself
  // (the package's `tansaku-dev` export condition), so there is one copy of each class (`TrialPruned`).
  const condition = '--conditions=tansaku-dev';
  if (!(process.env.NODE_OPTIONS ?? '').includes(condition)) {
    process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, condition].filter(Boolean).join(' ');
  }
  const { register } = await import('node:module');
  const addCondition =
    'export function resolve(specifier, context, next) {' +
    " return next(specifier, context.conditions.includes('tansaku-dev') ? context : { ...context, conditions: [...context.conditions, 'tansaku-dev'] });" +
    ' }';
  register(`data:text/javascript,${encodeURIComponent(addCondition)}`);
  const tsx = await import('tsx/esm/api');
  tsx.register();
  cli = await import(source.href);
} else {
  cli = await import(new URL('../dist/cli/main.js', import.meta.url).href);
}
show = cli.displayText;
const code = await cli.main(process.argv.slice(2));
process.exitCode = code;
// Exit once stdout and stderr are flushed (writes to a pipe may still be queued), even if an
// objective module left timers behind.
let pending = 2;
const done = () => {
  if (--pending === 0) process.exit(code);
};
process.stdout.write('', done);
process.stderr.write('', done);
