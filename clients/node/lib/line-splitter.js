'use strict';
/**
 * Splits a byte stream into lines on the `\n` byte only.
 *
 * Why bytes: U+2028, U+2029 and U+0085 are line breaks to some readers (Node's readline among them)
 * but legal inside a JSON string, and a multi-byte UTF-8 character can straddle two chunks; so we
 * split the raw bytes first and decode each complete line once (RFC 8259 section 7 allows both raw
 * in strings; the bridge escapes them, but a client must not depend on that).
 *
 * Why a list of chunks: concatenating on every chunk re-copies everything buffered so far, which is
 * quadratic for a large message arriving in 64 KiB pieces. The pieces of an unfinished line are kept
 * as they came and joined once, when the line's `\n` arrives.
 */

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

class LineSplitter {
  /** Pieces of the line not yet terminated; owned by `push`, never shared. */
  #pieces = [];

  /** @param {(line: Buffer) => void} onLine called with each non-empty line, without `\r?\n` */
  constructor(onLine) {
    this.onLine = onLine;
  }

  /** @param {Buffer} chunk */
  push(chunk) {
    let start = 0;
    let newline;
    while ((newline = chunk.indexOf(NEWLINE, start)) !== -1) {
      const tail = chunk.subarray(start, newline);
      let line;
      if (this.#pieces.length === 0) {
        line = tail;
      } else {
        this.#pieces.push(tail);
        line = Buffer.concat(this.#pieces);
        this.#pieces = [];
      }
      start = newline + 1;
      this.#emit(line);
    }
    if (start < chunk.length) this.#pieces.push(start === 0 ? chunk : chunk.subarray(start));
  }

  /** Flushes a last line that had no `\n` (the writer ended mid-line). */
  end() {
    if (this.#pieces.length === 0) return;
    const line = Buffer.concat(this.#pieces);
    this.#pieces = [];
    this.#emit(line);
  }

  #emit(line) {
    // A trailing `\r` is tolerated, as the bridge tolerates it on its input; blank lines carry nothing.
    const end = line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN ? line.length - 1 : line.length;
    if (end === 0) return;
    this.onLine(end === line.length ? line : line.subarray(0, end));
  }
}

module.exports = { LineSplitter };
