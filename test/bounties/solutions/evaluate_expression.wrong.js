// Hands the expression to JavaScript, where ^ is XOR, not power.
export function run({ expr }) {
  return Function(`"use strict"; return (${expr});`)();
}
