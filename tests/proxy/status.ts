/**
 * Whether the client's noreply fence works through servers that do not know `mn` (twemproxy 0.5
 * closes the connection on it, memcached < 1.6 answers ERROR). Fixed: the default fence is now
 * `get __mc_noreply_fence__`, which all of them answer (ClientOptions.noreplyFence).
 */
export const NOREPLY_FENCE_FIXED = true;
