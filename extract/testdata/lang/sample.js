import { x } from "./x.js";

/**
 * Adds two numbers.
 * @param {number} a
 */
export function add(a, b) {
  return a + b;
}

class Counter extends Base {
  constructor(start) {
    super();
    this.n = start;
  }

  /** Increments the counter. */
  inc() {
    if (this.n > 10 && this.limit) {
      return;
    }
    this.n++;
  }
}

// Plain comment, not JSDoc.
const double = (v) => v * 2;

module.exports.triple = function (v) {
  return v * 3;
};

[1, 2].map((v) => v + 1);
