'use strict';
// The package stands alone: no file of clients/node cites a document that is not in the repository
// (a user of the npm package has neither the repository's working notes nor anything beside it).
// In-process: reads every file of the package folder.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { PACKAGE_DIR } = require('../test-support/helpers');

// Spelled in pieces so that this file does not match itself.
const OUTSIDE = ['../' + 'shared', '/work/' + 'shared', 'medusa-store-' + 'auth.md', 'medusa-v2-' + 'auth.md', 'STDIO-' + 'NOTES', 'STYLE' + '.md', 'CONTRACT' + '.md'];

function* files(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else yield full;
  }
}

test('no file of the Node package refers to a document outside the repository', () => {
  const offenders = [];
  for (const file of files(PACKAGE_DIR)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const name of OUTSIDE) if (text.includes(name)) offenders.push(`${path.relative(PACKAGE_DIR, file)}: ${name}`);
  }
  assert.deepEqual(offenders, []);
});
