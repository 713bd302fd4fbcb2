'use strict';
// Run by process-lifetime tests as its own Node process: makes at most one call and never closes
// the bridge, so whether the process exits (and when) is up to the client's ref/unref alone.
// argv[2] is JSON: {binary, baseUrl?, email?, customHeaders?}; no email means no call at all.

const { Bridge } = require('../..');

const config = JSON.parse(process.argv[2]);
const bridge = new Bridge({ binary: config.binary, ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}) });
if (config.email) {
  bridge.auth.exists(config.email, config.customHeaders).then(
    (result) => console.log(JSON.stringify({ answered: result, pid: bridge.pid })),
    (error) => {
      console.log(JSON.stringify({ error: `${error.name}: ${error.message}` }));
      process.exitCode = 1;
    },
  );
}
