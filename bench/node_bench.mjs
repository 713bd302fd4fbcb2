// Node side of the benchmark (Node's standard library only), run by bench.py with one JSON argument.
//   {"mode": "direct", "url", "headers", "seconds", "runs", "concurrency"}
//       fetch() with Node's default keep-alive agent, one at a time and `concurrency` in flight.
//   {"mode": "client", "clientDir", "binary", "baseUrl", "seconds", "runs", "concurrency"}
//       the Node client (clients/node) against a raw NDJSON pipe to the same bridge binary, for
//       ping and auth.exists, so the client's own overhead is the difference.
// Prints one JSON line: per run, the median latency in µs (sequential) and calls/s (concurrent).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const config = JSON.parse(process.argv[2]);
const require = createRequire(import.meta.url);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const now = () => Number(process.hrtime.bigint()) / 1000; // µs

// Every figure: `runs` runs of `seconds`, after a short warm-up. `calls` maps names to call
// functions; their runs are interleaved so that each sees the same machine load.
async function measure(calls) {
  const results = {};
  for (const [name, call] of Object.entries(calls)) {
    results[name] = { sequential_us: [], concurrent_per_s: [] };
    const warmUntil = now() + 200_000;
    while (now() < warmUntil) await call();
  }
  for (let run = 0; run < config.runs; run++) {
    for (const [name, call] of Object.entries(calls)) {
      const latencies = [];
      const deadline = now() + config.seconds * 1e6;
      while (now() < deadline) {
        const start = now();
        await call();
        latencies.push(now() - start);
      }
      results[name].sequential_us.push(median(latencies));
    }
    for (const [name, call] of Object.entries(calls)) {
      let count = 0;
      const start = now();
      const deadline = start + config.seconds * 1e6;
      const worker = async () => {
        while (now() < deadline) {
          await call();
          count++;
        }
      };
      await Promise.all(Array.from({ length: config.concurrency }, worker));
      results[name].concurrent_per_s.push(count / ((now() - start) / 1e6));
    }
  }
  return results;
}

async function direct() {
  const call = async () => {
    const response = await fetch(config.url, { headers: config.headers });
    const body = await response.json();
    if (response.status !== 200 || typeof body !== 'object') throw new Error(`${config.url} answered ${response.status}`);
  };
  return (await measure({ direct: call })).direct;
}

/** The cheapest NDJSON client Node allows: one spawn, split on the \n byte, match answers by id. */
function rawBridge() {
  const child = spawn(config.binary, ['--base-url', config.baseUrl], { stdio: ['pipe', 'pipe', 'inherit'] });
  const pending = new Map();
  let nextId = 0;
  let rest = Buffer.alloc(0);
  child.stdout.on('data', (chunk) => {
    let buffer = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    let newline;
    while ((newline = buffer.indexOf(10)) !== -1) {
      const answer = JSON.parse(buffer.subarray(0, newline).toString('utf8'));
      buffer = buffer.subarray(newline + 1);
      const settle = pending.get(answer.id);
      pending.delete(answer.id);
      if (answer.error) settle.reject(new Error(JSON.stringify(answer.error)));
      else settle.resolve(answer.result);
    }
    rest = buffer;
  });
  const call = (method, params) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
    });
  const close = () =>
    new Promise((resolve) => {
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(killer);
        resolve();
      });
      child.stdin.end();
    });
  return { call, close };
}

async function client() {
  const { Bridge } = require(config.clientDir);
  const raw = rawBridge();
  const bridge = new Bridge({ binary: config.binary, baseUrl: config.baseUrl });
  try {
    await bridge.start();
    const ping = await measure({ raw: () => raw.call('ping', {}), client: () => bridge.ping() });
    const exists = await measure({
      raw: () => raw.call('auth.exists', { email: 'oli@test.dk' }),
      client: () => bridge.auth.exists('oli@test.dk'),
    });
    return { raw_ping: ping.raw, client_ping: ping.client, raw_exists: exists.raw, client_exists: exists.client };
  } finally {
    await raw.close();
    await bridge.close();
  }
}

const watchdog = setTimeout(() => {
  console.error('node_bench: overran its bound');
  process.exit(2);
}, (config.seconds * config.runs * 8 + 60) * 1000);
watchdog.unref();
const result = config.mode === 'direct' ? await direct() : await client();
console.log(JSON.stringify(result));
