'use strict';
// Run by the trace test with MEDUSA_AUTH_BRIDGE_TRACE set: a v2 login (a password out, a token
// back), an abandoned call, then close(). argv[2] is the bridge binary; the trace is on stderr.

const { Bridge } = require('../..');

async function main() {
  const bridge = new Bridge({ binary: process.argv[2], stderr: 'ignore' });
  await bridge.auth.login('customer', 'emailpass', { email: 'a@example.com', password: 'secret' }, { headers: { Authorization: 'Bearer x' } });
  await bridge.auth.getSession({ 'x-fake': 'hang' }, { timeout: 50 }).catch(() => {});
  await bridge.ping();
  await bridge.close();
}

main();
