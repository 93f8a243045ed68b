/**
 * Whether the client's noreply fence works through servers that do not know `mn`: twemproxy 0.5
 * closes the connection on it, and memcached < 1.6 answers ERROR (then mc waits for an MN that never
 * comes and reads the next reply as a protocol error). Today the client writes `mn` after each run of
 * noreply commands, so the noreply tests in twemproxy.test.ts and legacy-server.test.ts fail; they
 * run only when this flag is true. Flip it to true when the client fix lands.
 * To run them before that: MC_RUN_GATED=1 pnpm vitest run tests/proxy
 */
export const NOREPLY_FENCE_FIXED = false;
