'use strict';
// Run by the process-group test as the foreground job of a pretend terminal: starts a bridge,
// says "ready", and on SIGINT (Ctrl-C to the whole group) makes one more call, which works only if
// the bridge did not get the SIGINT too. argv[2] is the bridge binary.

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const { Bridge } = require('../..');

/** The process group of `pid`: /proc on Linux, ps elsewhere. */
function processGroup(pid) {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[2]);
  } catch {
    return Number(execFileSync('ps', ['-o', 'pgid=', '-p', String(pid)], { encoding: 'utf8' }).trim());
  }
}

async function main() {
  const bridge = new Bridge({ binary: process.argv[2] });
  await bridge.start();
  const keepAlive = setInterval(() => {}, 60_000);
  process.once('SIGINT', async () => {
    clearInterval(keepAlive);
    await bridge.ping({ timeout: 5000 });
    const bridgeGroupDiffers = processGroup(bridge.pid) !== processGroup(process.pid);
    console.log(JSON.stringify({ pingedAfterCtrlC: true, bridgeGroupDiffers }));
    await bridge.close();
  });
  console.log('ready');
}

main();
