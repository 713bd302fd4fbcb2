'use strict';
/**
 * Shared test helpers. They live outside test/ because `node --test <dir>` runs every .js file in a
 * folder named test as a test file.
 */

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const PACKAGE_DIR = path.resolve(__dirname, '..');
const REPO_ROOT = path.resolve(PACKAGE_DIR, '..', '..');
const FAKE_BRIDGE = path.join(__dirname, 'fake-bridge.js');

/**
 * Bound on a helper script's whole life: it spawns Node (~60 ms) and a bridge, makes a call or two,
 * and must exit by itself. Fifteen seconds is far above that on a loaded 2-core CI box; past it,
 * the script is kept alive by something and the test fails instead of hanging.
 */
const SCRIPT_TIMEOUT_MS = 15_000;

/**
 * Runs `node <script> ...args` and resolves when it and everything holding its stdio has closed.
 * The script's bridge inherits its stderr pipe, so 'close' also proves that the bridge exited.
 * Fails (after killing the script) if that takes longer than `timeoutMs`.
 */
function runScript(script, args = [], { env = {}, baseEnv = process.env, timeoutMs = SCRIPT_TIMEOUT_MS } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...baseEnv, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path.basename(script)} was still running after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * Runs test-support/scripts/ctrl-c.js as a terminal's foreground job (its own process group), sends
 * SIGINT to that whole group once it is ready, as Ctrl-C does, and resolves when it has closed.
 */
function runCtrlC(binary, timeoutMs = SCRIPT_TIMEOUT_MS) {
  const script = path.join(__dirname, 'scripts', 'ctrl-c.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, binary], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (!interrupted && stdout.includes('ready\n')) {
        interrupted = true;
        process.kill(-child.pid, 'SIGINT');
      }
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`ctrl-c.js was still running after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * The real bridge for end-to-end tests: MEDUSA_AUTH_BRIDGE (what the project's test command sets),
 * else the checkout's release or debug build. Null when there is none, which skips those tests
 * locally; under CI=true a missing bridge is an error, so CI can never pass by skipping.
 */
function realBinary() {
  const fromEnv = process.env.MEDUSA_AUTH_BRIDGE;
  if (fromEnv) {
    // Named explicitly, as the project's test command does: a wrong path is an error, not a skip.
    if (!fs.existsSync(fromEnv)) throw new Error(`MEDUSA_AUTH_BRIDGE is set but ${fromEnv} does not exist`);
    return fromEnv;
  }
  const candidates = [
    path.join(REPO_ROOT, '.build', 'release', 'medusa-auth-bridge'),
    path.join(REPO_ROOT, '.build', 'debug', 'medusa-auth-bridge'),
  ];
  const found = candidates.find((file) => fs.existsSync(file));
  if (!found && process.env.CI === 'true') {
    throw new Error(`CI=true but no medusa-auth-bridge binary was found; set MEDUSA_AUTH_BRIDGE or build one of: ${candidates.join(', ')}`);
  }
  return found ?? null;
}

/** Resolves with the next `event` of `emitter`, or rejects after `ms`. */
function once(emitter, event, ms, what = event) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    emitter.once(event, (...values) => {
      clearTimeout(timer);
      resolve(values);
    });
  });
}

/** The messages the fake bridge has received so far (see fake-bridge.js, rpc.discover). */
async function fakeReceived(bridge) {
  return (await bridge.discover())['x-fake-received'];
}

module.exports = { PACKAGE_DIR, REPO_ROOT, FAKE_BRIDGE, SCRIPT_TIMEOUT_MS, runScript, runCtrlC, realBinary, once, fakeReceived };
