// The order in which main.mjs runs the clients at one step of one round.
//
// Every target of issue 17 is a ratio of mc to raw measured in the same round, and this shared VM
// drifts over tens of seconds: two identical clients run one after the other give per-round ratios
// of 0.89–1.20, while clients run 40 s apart (a round of nine) move further. So raw and mc run
// back to back at every step, each going first in every other round; the other clients rotate
// around that pair, one place per step and per round, so none always follows the same neighbour.

/** The pair whose ratio the targets compare; kept adjacent when both are measured. */
export const PAIR = ['raw', 'mc'];

/**
 * @param {string[]} names the clients being measured (CLIENT_NAMES or --clients)
 * @param {number} round 0-based
 * @param {number} stepIndex 0-based index of the scenario (or 'heap' step)
 * @returns {string[]} the names in the order to run them
 */
export function runOrder(names, round, stepIndex) {
  const paired = PAIR.every((n) => names.includes(n));
  const pair = paired ? (round % 2 === 0 ? PAIR : [...PAIR].reverse()) : [];
  const units = [pair, ...names.filter((n) => !pair.includes(n)).map((n) => [n])].filter((u) => u.length > 0);
  const shift = (round + stepIndex) % units.length;
  return [...units.slice(shift), ...units.slice(0, shift)].flat();
}
