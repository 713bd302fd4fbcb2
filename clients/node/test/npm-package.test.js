'use strict';
// The npm packages as a user gets them: scripts/pack.mjs writes the main and the platform tarball,
// `npm install --offline` puts both into a fresh project in the temporary folder (no checkout above
// it, no registry reachable), and a script there runs a call with no binary named anywhere.
// Spawns npm, node and the bridge (the fake one as a stand-in binary, and the real one once, against
// the emulator); every command is bounded by COMMAND_TIMEOUT_MS.

const test = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const { promisify } = require('node:util');
const { findCheckout } = require('../lib/binary');
const { platformPackageName } = require('../lib/platform');
const { PACKAGE_DIR, FAKE_BRIDGE, realBinary } = require('../test-support/helpers');
const { startEmulator, emulatorExists } = require('../test-support/emulator');

const run = promisify(execFile);
/** Packing and an offline install of two local tarballs take ~2-4 s; a minute means a hang. */
const COMMAND_TIMEOUT_MS = 60_000;
const PACK = path.join(PACKAGE_DIR, 'scripts', 'pack.mjs');
const VERSION = require('../package.json').version;
const PLATFORM_PACKAGE = platformPackageName();

function which(command) {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, command)));
}
const npmMissing = !which('npm');
if (npmMissing && process.env.CI === 'true') throw new Error('CI=true but npm is not on PATH; the packages cannot be checked');
const skip = npmMissing && 'npm is not installed';

/** The user's environment: no MEDUSA_AUTH_BRIDGE, npm quiet and with a private cache. */
function userEnv(root) {
  const { MEDUSA_AUTH_BRIDGE, ...env } = process.env;
  return { ...env, npm_config_cache: path.join(root, 'npm-cache'), npm_config_update_notifier: 'false' };
}

/** Packs `binary` into <root>/dist and installs both tarballs offline into <root>/app. */
async function packAndInstall(binary) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mab-npm-'));
  roots.push(root);
  assert.equal(findCheckout(root), null, `${root} must not be inside a source checkout`);
  const options = { env: userEnv(root), timeout: COMMAND_TIMEOUT_MS };
  const dist = path.join(root, 'dist');
  const { stdout } = await run(process.execPath, [PACK, '--binary', binary, '--out', dist], options);
  const tarballs = stdout.trim().split('\n');
  const app = path.join(root, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', ...tarballs], { ...options, cwd: app });
  return { root, dist, tarballs, app, options };
}

const roots = [];
test.after(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

/** The stand-in binary's packages, packed and installed once for the tests that only read them. */
let withFake;
const installedWithFake = () => (withFake ??= packAndInstall(FAKE_BRIDGE));

/** The entries of a .tgz: name, mode and content, read with zlib and the ustar header layout. */
function readTarball(file) {
  const tar = zlib.gunzipSync(fs.readFileSync(file));
  const entries = new Map();
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start, length) => header.subarray(start, start + length).toString('utf8').replace(/\0.*$/s, '');
    const name = field(0, 100);
    const size = parseInt(field(124, 12).trim(), 8);
    const mode = parseInt(field(100, 8).trim(), 8);
    entries.set(name, { mode, content: tar.subarray(offset + 512, offset + 512 + size) });
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

test('pack.mjs writes exactly the main and the platform tarball, the main one depending on the other at its version', { skip }, async (t) => {
  const { dist, tarballs } = await installedWithFake();
  assert.deepEqual(fs.readdirSync(dist).sort(), tarballs.map((file) => path.basename(file)).sort());
  assert.equal(tarballs.length, 2);
  const [main, platform] = tarballs.map(readTarball);

  const mainManifest = JSON.parse(main.get('package/package.json').content);
  assert.equal(mainManifest.name, 'medusa-auth-bridge');
  assert.deepEqual(mainManifest.optionalDependencies, { [PLATFORM_PACKAGE]: VERSION });
  assert.equal(mainManifest.dependencies, undefined, 'no runtime dependencies');
  for (const file of ['lib/index.js', 'lib/binary.js', 'index.mjs', 'index.d.ts', 'index.d.mts', 'errors.d.ts', 'README.md']) assert.ok(main.has(`package/${file}`), file);
  assert.deepEqual([...main.keys()].filter((name) => /\/(test|test-support|scripts)\//.test(name)), [], 'no tests or scripts shipped');

  const platformManifest = JSON.parse(platform.get('package/package.json').content);
  assert.equal(platformManifest.name, PLATFORM_PACKAGE);
  assert.equal(platformManifest.version, VERSION);
  assert.deepEqual(platformManifest.os, [process.platform]);
  assert.deepEqual(platformManifest.cpu, [process.arch]);
  const binary = platform.get('package/bin/medusa-auth-bridge');
  assert.equal(binary.mode & 0o111, 0o111, 'the binary keeps its exec bit');
  assert.deepEqual(binary.content, fs.readFileSync(FAKE_BRIDGE));
});

test('the platform package is for glibc only, records the glibc it needs, and both packages carry the MIT licence', { skip }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mab-npm-'));
  roots.push(root);
  const dist = path.join(root, 'dist');
  const { stdout } = await run(process.execPath, [PACK, '--binary', FAKE_BRIDGE, '--out', dist, '--glibc', '2.35'], {
    env: userEnv(root),
    timeout: COMMAND_TIMEOUT_MS,
  });
  const [main, platform] = stdout.trim().split('\n').map(readTarball);
  const platformManifest = JSON.parse(platform.get('package/package.json').content);
  // npm leaves out a package whose libc does not match the machine's (musl: EBADPLATFORM).
  assert.deepEqual(platformManifest.libc, ['glibc']);
  assert.equal(platform.get('package/bin/GLIBC').content.toString(), '2.35\n');
  const licence = fs.readFileSync(path.join(PACKAGE_DIR, '..', 'LICENSE'));
  assert.match(licence.toString(), /^MIT License\n\nCopyright \(c\) the medusa-auth-bridge authors\n/);
  for (const tarball of [main, platform]) assert.deepEqual(tarball.get('package/LICENSE')?.content, licence);
});

test('pack.mjs refuses a missing binary and missing arguments with a usage line and status 64', async () => {
  for (const args of [[], ['--binary', path.join(PACKAGE_DIR, 'no-such-file'), '--out', os.tmpdir()], ['--bogus']]) {
    const failed = await run(process.execPath, [PACK, ...args], { timeout: COMMAND_TIMEOUT_MS }).then(
      () => assert.fail(`pack.mjs ${args.join(' ')} succeeded`),
      (error) => error,
    );
    assert.equal(failed.code, 64);
    assert.match(failed.stderr, /^pack\.mjs: /);
  }
});

test('installed offline outside any checkout, the client finds the packaged binary and runs a call; require and import agree', { skip }, async (t) => {
  const { app, options } = await installedWithFake();
  const installedBinary = path.join(app, 'node_modules', ...PLATFORM_PACKAGE.split('/'), 'bin', 'medusa-auth-bridge');
  const script = `
    import fs from 'node:fs';
    import { createRequire } from 'node:module';
    import * as esm from 'medusa-auth-bridge';
    const cjs = createRequire(import.meta.url)('medusa-auth-bridge');
    const bridge = new esm.Bridge();
    const answer = await bridge.auth.exists('a@example.com');
    const same = Object.keys(cjs).every((name) => esm[name] === cjs[name]);
    const proc = '/proc/' + bridge.pid + '/cmdline';
    const cmdline = fs.existsSync(proc) ? fs.readFileSync(proc, 'utf8').split('\\0').join(' ') : null;
    console.log(JSON.stringify({ answer, same, pid: bridge.pid, cmdline }));
    await bridge.close();`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { ...options, cwd: app });
  const result = JSON.parse(stdout);
  assert.deepEqual(result.answer, { exists: true });
  assert.equal(result.same, true);
  assert.equal(typeof result.pid, 'number');
  assert.ok(fs.statSync(installedBinary).mode & 0o100, 'the installed binary is executable');
  if (result.cmdline !== null) assert.ok(result.cmdline.includes(installedBinary), `the bridge ran from the platform package: ${result.cmdline}`);
});

test('MEDUSA_AUTH_BRIDGE and the binary option still override the packaged binary', { skip }, async (t) => {
  const { root, app, options } = await installedWithFake();
  const missing = path.join(root, 'elsewhere', 'medusa-auth-bridge');
  const script = (binaryOption) => `
    const { Bridge } = require('medusa-auth-bridge');
    new Bridge(${binaryOption}).ping().then(() => console.log('ran'), (error) => console.log(error.name + ': ' + error.message));`;
  const env = { ...options.env, MEDUSA_AUTH_BRIDGE: missing };
  const fromEnv = await run(process.execPath, ['-e', script('')], { ...options, env, cwd: app });
  assert.equal(fromEnv.stdout.trim(), `BridgeNotFoundError: medusa-auth-bridge from MEDUSA_AUTH_BRIDGE: ${missing} does not exist`);
  const fromOption = await run(process.execPath, ['-e', script(`{ binary: ${JSON.stringify(missing)} }`)], { ...options, cwd: app });
  assert.equal(fromOption.stdout.trim(), `BridgeNotFoundError: medusa-auth-bridge from the binary option: ${missing} does not exist`);
});

const binary = realBinary(); // throws under CI=true when missing
const realSkip = skip || (!binary && 'no medusa-auth-bridge binary') || (!emulatorExists() && 'no Medusa emulator');

test('the real bridge, packed and installed offline, logs a customer in against the emulator from a three-line script', { skip: realSkip }, async (t) => {
  const { app, options } = await packAndInstall(binary);
  const emulator = await startEmulator();
  t.after(() => emulator.stop());
  const script = `
    import { Bridge } from 'medusa-auth-bridge';
    const bridge = new Bridge({ baseUrl: ${JSON.stringify(emulator.url)} });
    console.log((await bridge.auth.authenticate({ email: 'oli@test.dk', password: 'test' })).customer.email);`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { ...options, cwd: app });
  assert.equal(stdout.trim(), 'oli@test.dk');
});
