'use strict';
/**
 * The bridge's stderr: copied where the user asked (`stderr` option), and its last lines kept so
 * an error can say why the bridge stopped. A bridge refusing an option writes one line and exits
 * 64; without this, that reason would be lost whenever stderr is not a terminal.
 *
 * The pipe is always read, whatever the destination: an unread pipe fills at 64 KiB and then
 * stalls the bridge's logging, and with it the bridge.
 */

const { LineSplitter } = require('./line-splitter');

/** Enough for a start-up failure and the warnings before it (clients/PARITY.md: 20 lines). */
const KEPT_LINES = 20;

class StderrTail {
  /** The last KEPT_LINES complete lines, oldest first. */
  #lines = [];
  #splitter = new LineSplitter((line) => this.#keep(line.toString('utf8')));
  #destination;

  /** @param {'inherit'|'ignore'|import('node:stream').Writable} destination */
  constructor(destination) {
    this.#destination = destination === 'inherit' ? process.stderr : destination === 'ignore' ? null : destination;
  }

  /** @param {Buffer} chunk */
  push(chunk) {
    this.#splitter.push(chunk);
    // A destination that fails (closed by the user) must not take the bridge's client down with it.
    try {
      this.#destination?.write(chunk);
    } catch {
      this.#destination = null;
    }
  }

  end() {
    this.#splitter.end();
  }

  /** The kept lines joined by `\n`, or null when the bridge wrote nothing. */
  text() {
    return this.#lines.length ? this.#lines.join('\n') : null;
  }

  /** The last line written, or null. */
  lastLine() {
    return this.#lines.at(-1) ?? null;
  }

  #keep(line) {
    this.#lines.push(line);
    if (this.#lines.length > KEPT_LINES) this.#lines.shift();
  }
}

module.exports = { StderrTail, KEPT_LINES };
