// The CI action and the sample workflow pass a GitHub Actions linter (@action-validator/cli,
// the schemas of action.yml and workflow files; pinned in devDependencies, offline after
// npm ci). tests/package/ci_action.sh runs the action's steps against a hostile pull request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { jsDir, repoDir } from './helpers.mjs';

const validator = path.join(jsDir, 'node_modules', '.bin', 'action-validator');
const validate = (file) => spawnSync(validator, [file], { encoding: 'utf8' });

for (const file of ['action.yml', 'samples/ci/github-actions.yml']) {
  test(`${file} passes action-validator`, () => {
    const r = validate(path.join(repoDir, file));
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
}

test('action-validator rejects a broken action (the linter is really checking)', () => {
  const bad = path.join(mkdtempSync(path.join(tmpdir(), 'verdict-action-')), 'action.yml');
  writeFileSync(bad, 'name: x\ndescription: y\nruns:\n  using: composite\n  steps:\n    - run: echo without a shell\n');
  assert.notEqual(validate(bad).status, 0);
});
