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
  assert.equal(findBinary({ env, from, resolvePackage: () => null }), debug);
  const release = executable('.build/release/medusa-auth-bridge');
  assert.equal(findBinary({ env, from, resolvePackage: () => null }), release);
});

test('PATH is searched last, and a file without the execute bit is passed over', (t) => {
  const { root, executable } = tempTree(t);
  const plain = path.join(root, 'a', 'medusa-auth-bridge');
  fs.mkdirSync(path.dirname(plain));
  fs.writeFileSync(plain, '');
  const onPath = executable('b/medusa-auth-bridge');
  const PATH = [path.join(root, 'a'), path.join(root, 'b')].join(path.delimiter);
  assert.equal(findBinary({ env: { PATH }, from: root, resolvePackage: () => null }), onPath);
});

test('the platform package wins over the checkout and PATH, and a broken one is named in the error', (t) => {
  const { root, executable } = tempTree(t);
  fs.writeFileSync(path.join(root, 'Package.swift'), '');
  const release = executable('.build/release/medusa-auth-bridge');
  const installed = path.join(root, 'node_modules', '@medusa-auth-bridge', 'linux-x64');
  const packaged = executable('node_modules/@medusa-auth-bridge/linux-x64/bin/medusa-auth-bridge');
  const resolvePackage = (name) => (name === '@medusa-auth-bridge/linux-x64' ? installed : null);
  const options = { env: { PATH: '' }, from: root, platform: 'linux-x64', resolvePackage };
  assert.equal(findBinary(options), packaged);
  fs.chmodSync(packaged, 0o644);
  assert.equal(findBinary(options), release, 'a package binary without its exec bit is passed over');
  fs.rmSync(release);
  assert.throws(
    () => findBinary(options),
    (error) => {
      assert.ok(error.searched.includes(
        `@medusa-auth-bridge/linux-x64: installed at ${installed}, but ${packaged} exists but is not executable (chmod +x it or reinstall)`,
      ));
      // Installed already: the advice is to repair it, not to install it or build one.
      assert.match(error.message, new RegExp(`To get one, make ${packaged.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} executable \\(chmod \\+x\\) or reinstall @medusa-auth-bridge/linux-x64;`));
      assert.doesNotMatch(error.message, /install @medusa-auth-bridge\/linux-x64, which npm installs|swift build/);
      return true;
    },
  );
});

test('outside a checkout the error names the platform package to install and never suggests swift build', (t) => {
  const { root } = tempTree(t);
  const env = { PATH: path.join(root, 'bin') };
  assert.throws(
    () => findBinary({ env, from: root, platform: 'linux-x64', resolvePackage: () => null }),
    (error) => {
      assert.ok(error instanceof BridgeNotFoundError);
      assert.deepEqual(error.searched, [
        'MEDUSA_AUTH_BRIDGE: not set',
        '@medusa-auth-bridge/linux-x64: not installed',
        `a source checkout: no Package.swift in ${root} or above`,
        `PATH: no executable medusa-auth-bridge in ${path.join(root, 'bin')}`,
      ]);
      assert.doesNotMatch(error.message, /swift build/);
      assert.match(error.message, /install @medusa-auth-bridge\/linux-x64, which npm installs with medusa-auth-bridge unless optional dependencies are left out/);
      assert.match(error.message, /set MEDUSA_AUTH_BRIDGE to its path, or pass \{ binary \}/);
      for (const place of error.searched) assert.ok(error.message.includes(place));
      return true;
    },
  );
});

test('inside a checkout the error says to build the bridge there, and lists each build searched', (t) => {
  const { root } = tempTree(t);
  fs.writeFileSync(path.join(root, 'Package.swift'), '');
  const env = { PATH: [path.join(root, 'x'), path.join(root, 'y')].join(path.delimiter) };
  assert.throws(
    () => findBinary({ env, from: root, resolvePackage: () => null }),
    (error) => {
      assert.ok(error instanceof BridgeNotFoundError);
      assert.deepEqual(error.searched.slice(2), [
        `${path.join(root, '.build', 'release', 'medusa-auth-bridge')}: does not exist`,
        `${path.join(root, '.build', 'debug', 'medusa-auth-bridge')}: does not exist`,
        `PATH: no executable medusa-auth-bridge in ${env.PATH}`,
      ]);
      assert.match(error.message, new RegExp(`swift build -c release\` in ${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.ok(error.searched.every((place) => typeof place === 'string'));
      return true;
    },
  );
});
