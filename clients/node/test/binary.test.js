'use strict';
// In-process tests of binary discovery, in temporary folders; nothing is spawned.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { findBinary } = require('../lib/binary');
const { BridgeNotFoundError } = require('../lib/errors');

function tempTree(t) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mab-binary-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const executable = (relative) => {
    const file = path.join(root, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '#!/bin/sh\n');
    fs.chmodSync(file, 0o755);
    return file;
  };
  return { root, executable };
}

test('the binary option wins over the environment variable, the checkout and PATH', (t) => {
  const { root, executable } = tempTree(t);
  const chosen = executable('chosen/medusa-auth-bridge');
  const fromEnv = executable('env/medusa-auth-bridge');
  executable('bin/medusa-auth-bridge');
  const env = { MEDUSA_AUTH_BRIDGE: fromEnv, PATH: path.join(root, 'bin') };
  assert.equal(findBinary({ binary: chosen, env, from: root }), chosen);
});

test('MEDUSA_AUTH_BRIDGE wins over the checkout and PATH', (t) => {
  const { root, executable } = tempTree(t);
  const fromEnv = executable('env/medusa-auth-bridge');
  fs.writeFileSync(path.join(root, 'Package.swift'), '');
  executable('.build/release/medusa-auth-bridge');
  assert.equal(findBinary({ env: { MEDUSA_AUTH_BRIDGE: fromEnv, PATH: '' }, from: path.join(root, 'clients', 'node') }), fromEnv);
});

test('an explicit binary or MEDUSA_AUTH_BRIDGE that does not exist is an error, not a fallback', (t) => {
  const { root, executable } = tempTree(t);
  executable('bin/medusa-auth-bridge');
  const env = { PATH: path.join(root, 'bin') };
  assert.throws(() => findBinary({ binary: path.join(root, 'missing'), env, from: root }), BridgeNotFoundError);
  assert.throws(
    () => findBinary({ env: { ...env, MEDUSA_AUTH_BRIDGE: path.join(root, 'missing') }, from: root }),
    (error) => error instanceof BridgeNotFoundError && /MEDUSA_AUTH_BRIDGE/.test(error.message) && /does not exist/.test(error.message),
  );
});

test('the release build of the checkout is preferred to the debug build, and the debug build to PATH', (t) => {
  const { root, executable } = tempTree(t);
  fs.writeFileSync(path.join(root, 'Package.swift'), '');
  const from = path.join(root, 'clients', 'node', 'lib');
  fs.mkdirSync(from, { recursive: true });
  executable('bin/medusa-auth-bridge');
  const debug = executable('.build/debug/medusa-auth-bridge');
  const env = { PATH: path.join(root, 'bin') };
  assert.equal(findBinary({ env, from }), debug);
  const release = executable('.build/release/medusa-auth-bridge');
  assert.equal(findBinary({ env, from }), release);
});

test('PATH is searched last, and a file without the execute bit is passed over', (t) => {
  const { root, executable } = tempTree(t);
  const plain = path.join(root, 'a', 'medusa-auth-bridge');
  fs.mkdirSync(path.dirname(plain));
  fs.writeFileSync(plain, '');
  const onPath = executable('b/medusa-auth-bridge');
  assert.equal(findBinary({ env: { PATH: [path.join(root, 'a'), path.join(root, 'b')].join(path.delimiter) }, from: root }), onPath);
});

test('when nothing is found the error lists every place searched and says how to fix it', (t) => {
  const { root } = tempTree(t);
  fs.writeFileSync(path.join(root, 'Package.swift'), '');
  const env = { PATH: [path.join(root, 'x'), path.join(root, 'y')].join(path.delimiter) };
  assert.throws(
    () => findBinary({ env, from: root }),
    (error) => {
      assert.ok(error instanceof BridgeNotFoundError);
      assert.deepEqual(error.searched, [
        path.join(root, '.build', 'release', 'medusa-auth-bridge'),
        path.join(root, '.build', 'debug', 'medusa-auth-bridge'),
        path.join(root, 'x', 'medusa-auth-bridge'),
        path.join(root, 'y', 'medusa-auth-bridge'),
      ]);
      assert.match(error.message, /swift build -c release/);
      assert.match(error.message, /MEDUSA_AUTH_BRIDGE/);
      for (const place of error.searched) assert.ok(error.message.includes(place));
      return true;
    },
  );
});
