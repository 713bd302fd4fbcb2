'use strict';
/**
 * Starts the Medusa emulator for one test file and stops it: the command line, the one-line
 * announcement on stdout, and EOF on stdin to stop it are the emulator's (scripts/emulator/README.md).
 */

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { REPO_ROOT } = require('./helpers');

const EMULATOR = path.join(REPO_ROOT, 'scripts', 'emulator', 'medusa_emulator.py');

/** Python starts and binds in well under a second; ten allows for a cold, busy CI machine. */
const EMULATOR_START_TIMEOUT_MS = 10_000;
/** It exits on stdin EOF at once; after this bound it is killed. */
const EMULATOR_STOP_TIMEOUT_MS = 5_000;

function emulatorExists() {
  return fs.existsSync(EMULATOR);
}

/**
 * @param {{medusaVersion?: 1 | 2}} [options] v2 serves /auth/* and /store/customers*
 * @returns {Promise<{url: string, port: number, publishableKey?: string, control: Function, stop: () => Promise<void>}>}
 */
async function startEmulator({ medusaVersion = 1 } = {}) {
  const child = spawn('python3', [EMULATOR, '--medusa-version', String(medusaVersion), '--port', '0', '--exit-on-stdin-eof', '--quiet'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const announcement = await new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => fail(new Error('the emulator did not announce its URL in time')), EMULATOR_START_TIMEOUT_MS);
    const fail = (error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.on('error', fail);
    child.on('exit', (code) => fail(new Error(`the emulator exited with code ${code} before announcing its URL`)));
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const newline = text.indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve(JSON.parse(text.slice(0, newline)));
    });
  });
  child.stdout.resume();

  /** Calls the emulator's control API (`/__emulator/...`). */
  async function control(method, route, body) {
    const response = await fetch(`${announcement.url}/__emulator/${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`emulator ${method} ${route}: ${response.status} ${text}`);
    return text === '' ? undefined : JSON.parse(text);
  }

  async function stop() {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('close', resolve));
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), EMULATOR_STOP_TIMEOUT_MS);
    await exited; // SIGKILL cannot be ignored, so 'close' always comes
    clearTimeout(timer);
  }

  return { url: announcement.url, port: announcement.port, publishableKey: announcement.publishable_key, control, stop };
}

module.exports = { startEmulator, emulatorExists, EMULATOR };
