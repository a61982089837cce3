// The hand-written TypeScript declarations type-check against a usage file
// (tsc --noEmit), resolving the package by name through the workspace.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { REPO, WASM_DIR } from './helpers.mjs';

test('index.d.ts type-checks a usage file', (t) => {
  const tsc = join(REPO, 'node_modules', '.bin', 'tsc');
  assert.ok(existsSync(tsc), 'typescript is a devDependency: npm ci installs it');
  const r = spawnSync(tsc, ['-p', join(WASM_DIR, 'test', 'types')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
