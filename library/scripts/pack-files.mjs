#!/usr/bin/env node
// `npm pack` / `npm publish` of the library (prepack, postpack): the package carries the repository's
// README (the user guide) and LICENSE, which live at the repository root, not in library/.
//   node scripts/pack-files.mjs add      copy them into library/
//   node scripts/pack-files.mjs remove   delete the copies again
import { copyFileSync, rmSync } from 'node:fs';

const FILES = ['README.md', 'LICENSE'];
const action = process.argv[2];
if (action === 'add') {
  for (const f of FILES) copyFileSync(new URL(`../../${f}`, import.meta.url), new URL(`../${f}`, import.meta.url));
} else if (action === 'remove') {
  for (const f of FILES) rmSync(new URL(`../${f}`, import.meta.url), { force: true });
} else {
  console.error(`usage: node scripts/pack-files.mjs add|remove; got ${JSON.stringify(action ?? null)}`);
  process.exit(2);
}
