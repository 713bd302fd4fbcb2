#!/usr/bin/env node
// Builds the two npm tarballs of a release, in esbuild's arrangement:
//
//   node clients/node/scripts/pack.mjs --binary <path> --out <dir> [--glibc 2.35] [--platform linux-x64]
//
// writes into <dir> exactly two tarballs and prints their paths, one a line:
// - the main package `medusa-auth-bridge`, whose `optionalDependencies` name the platform package
//   at the same version, so `npm install medusa-auth-bridge` brings the binary along;
// - the platform package (`@medusa-auth-bridge/linux-x64`), holding the binary with its exec bit,
//   with `os`, `cpu` and `libc: ["glibc"]` fields so npm installs it only where it runs (npm skips it
//   on musl), and, with --glibc, the glibc version it needs in bin/GLIBC beside it, which the client
//   compares with the running glibc before spawning (lib/elf.js).
// Both carry the MIT licence text, clients/LICENSE.
// The client finds the platform package's binary by itself (lib/binary.js); MEDUSA_AUTH_BRIDGE and
// the `binary` option still override it. `npm pack` does the packing (it needs no registry).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { PLATFORM_BINARY, platformKey, platformPackageName } = require('../lib/platform.js');
const { GLIBC_FILE } = require('../lib/elf.js');

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LICENSE = path.resolve(PACKAGE_DIR, '..', 'LICENSE');
const USAGE = 'usage: node clients/node/scripts/pack.mjs --binary <path> --out <dir> [--glibc <2.35>] [--platform <os>-<cpu>]';
/** npm pack of a 70 MB binary takes a few seconds; two minutes means something is stuck. */
const NPM_TIMEOUT_MS = 120_000;

function fail(message) {
  process.stderr.write(`pack.mjs: ${message}\n`);
  process.exit(64);
}

function parseArgs(argv) {
  const args = { platform: platformKey() };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    const name = { '--binary': 'binary', '--out': 'out', '--glibc': 'glibc', '--platform': 'platform' }[flag];
    if (!name) fail(`unknown argument ${JSON.stringify(flag)}\n${USAGE}`);
    if (i + 1 >= argv.length) fail(`${flag} needs a value\n${USAGE}`);
    args[name] = argv[++i];
  }
  if (!args.binary || !args.out) fail(`--binary and --out are required\n${USAGE}`);
  if (args.glibc !== undefined && !/^\d+\.\d+$/.test(args.glibc)) fail(`--glibc must look like 2.35, not ${JSON.stringify(args.glibc)}`);
  if (!/^[a-z0-9]+-[a-z0-9]+$/.test(args.platform)) fail(`--platform must look like linux-x64, not ${JSON.stringify(args.platform)}`);
  return args;
}

/** Runs `npm pack` in `dir` and returns the tarball's path in `out`. */
function npmPack(dir, out) {
  const env = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  let stdout;
  try {
    stdout = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', out], {
      cwd: dir,
      env,
      timeout: NPM_TIMEOUT_MS,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    if (error.code === 'ENOENT') fail('npm is not on PATH; it is needed to pack the tarballs');
    fail(`npm pack failed in ${dir}: ${error.stderr || error.message}`);
  }
  const [packed] = JSON.parse(stdout);
  return path.join(out, packed.filename);
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const binary = path.resolve(args.binary);
  if (!fs.existsSync(binary) || !fs.statSync(binary).isFile()) fail(`--binary ${binary} is not a file`);
  const out = path.resolve(args.out);
  fs.mkdirSync(out, { recursive: true });

  const manifest = JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8'));
  const [platformOs, platformCpu] = args.platform.split('-');
  const platformName = platformPackageName(args.platform);
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'medusa-auth-bridge-pack-'));
  try {
    // The platform package: the binary and a manifest that npm matches against the machine.
    const platformDir = path.join(staging, 'platform');
    fs.mkdirSync(path.join(platformDir, path.dirname(PLATFORM_BINARY)), { recursive: true });
    fs.copyFileSync(binary, path.join(platformDir, PLATFORM_BINARY));
    fs.chmodSync(path.join(platformDir, PLATFORM_BINARY), 0o755);
    const glibcFile = path.posix.join(path.posix.dirname(PLATFORM_BINARY), GLIBC_FILE);
    if (args.glibc) fs.writeFileSync(path.join(platformDir, glibcFile), `${args.glibc}\n`);
    fs.copyFileSync(LICENSE, path.join(platformDir, 'LICENSE'));
    const platformManifest = {
      name: platformName,
      version: manifest.version,
      description: `The medusa-auth-bridge executable for ${args.platform}; installed by the medusa-auth-bridge package.`,
      license: manifest.license,
      os: [platformOs],
      cpu: [platformCpu],
      // The binary runs on glibc only; npm leaves the package out on musl (Alpine).
      ...(platformOs === 'linux' ? { libc: ['glibc'] } : {}),
      files: [PLATFORM_BINARY, ...(args.glibc ? [glibcFile] : []), 'README.md', 'LICENSE'],
      preferUnplugged: true,
    };
    fs.writeFileSync(path.join(platformDir, 'package.json'), `${JSON.stringify(platformManifest, null, 2)}\n`);
    fs.writeFileSync(
      path.join(platformDir, 'README.md'),
      `# ${platformName}\n\nThe \`medusa-auth-bridge\` executable for ${args.platform}. Install \`medusa-auth-bridge\`, ` +
        'which depends on this package and finds the executable in it; this package is not meant to be used alone.\n',
    );

    // The main package: the client as published, plus the optional dependency on its binary.
    const mainDir = path.join(staging, 'main');
    fs.mkdirSync(mainDir);
    for (const entry of manifest.files) {
      fs.cpSync(path.join(PACKAGE_DIR, entry), path.join(mainDir, entry), { recursive: true });
    }
    fs.copyFileSync(LICENSE, path.join(mainDir, 'LICENSE'));
    const { scripts, ...published } = manifest;
    const mainManifest = {
      ...published,
      files: [...published.files, 'LICENSE'],
      optionalDependencies: { [platformName]: manifest.version },
    };
    fs.writeFileSync(path.join(mainDir, 'package.json'), `${JSON.stringify(mainManifest, null, 2)}\n`);

    const tarballs = [npmPack(mainDir, out), npmPack(platformDir, out)];
    process.stdout.write(`${tarballs.join('\n')}\n`);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

main();
