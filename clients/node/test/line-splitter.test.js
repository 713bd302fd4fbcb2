'use strict';
// In-process tests of LineSplitter: no process, no I/O.

const test = require('node:test');
const assert = require('node:assert/strict');
const { LineSplitter } = require('../lib/line-splitter');

function split(chunks) {
  const lines = [];
  const splitter = new LineSplitter((line) => lines.push(line.toString('utf8')));
  for (const chunk of chunks) splitter.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  splitter.end();
  return lines;
}

test('several lines in one chunk come out one by one', () => {
  assert.deepEqual(split(['a\nbb\nccc\n']), ['a', 'bb', 'ccc']);
});

test('a line split over many chunks comes out whole', () => {
  assert.deepEqual(split(['{"a"', ':', '1}', '\n{"b":2}\n']), ['{"a":1}', '{"b":2}']);
});

test('a multi-byte character cut between chunks is decoded after the split, intact', () => {
  const bytes = Buffer.from('"æøå €"\n');
  const lines = split([bytes.subarray(0, 2), bytes.subarray(2, 3), bytes.subarray(3)]);
  assert.deepEqual(lines, ['"æøå €"']);
});

test('U+2028, U+2029 and U+0085 inside a line do not split it', () => {
  assert.deepEqual(split(['"a\u2028b\u2029c\u0085d"\n']), ['"a\u2028b\u2029c\u0085d"']);
});

test('a trailing carriage return is dropped and blank lines are skipped', () => {
  assert.deepEqual(split(['one\r\n\n\r\ntwo\n']), ['one', 'two']);
});

test('a last line without a newline is flushed at the end', () => {
  assert.deepEqual(split(['one\ntw', 'o']), ['one', 'two']);
});

test('a large line arriving in 64 KiB chunks is joined once, not once per chunk', (t) => {
  const size = 8 * 1024 * 1024;
  const line = Buffer.alloc(size, 0x61);
  const chunks = [];
  for (let offset = 0; offset < size; offset += 65536) chunks.push(line.subarray(offset, offset + 65536));
  chunks.push(Buffer.from('\n'));
  const concat = t.mock.method(Buffer, 'concat');
  const lengths = [];
  const splitter = new LineSplitter((l) => lengths.push(l.length));
  for (const chunk of chunks) splitter.push(chunk);
  assert.deepEqual(lengths, [size]);
  assert.equal(concat.mock.callCount(), 1);
});

test('a line that fits in one chunk is passed on without any copy', (t) => {
  const concat = t.mock.method(Buffer, 'concat');
  const chunk = Buffer.from('{"id":1}\n{"id":2}\n');
  const lines = [];
  new LineSplitter((line) => lines.push(line)).push(chunk);
  assert.equal(concat.mock.callCount(), 0);
  assert.equal(lines[0].buffer, chunk.buffer);
});
