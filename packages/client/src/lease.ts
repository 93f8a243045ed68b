import { AbortError } from './errors.js';
import type {
  GetOrLoadOptions,
  MetaDeleteCallOptions,
  MetaDeleteResult,
  MetaGetCallOptions,
  MetaGetResult,
  MetaSetCallOptions,
  MetaSetResult,
} from './meta.js';

/** The meta calls getOrLoad needs; every meta-capable client has them. */
export interface LeaseOps {
  metaGet<T = unknown>(key: string, options?: MetaGetCallOptions): Promise<MetaGetResult<T> | undefined>;
  metaSet(key: string, value: unknown, options?: MetaSetCallOptions): Promise<MetaSetResult>;
  metaDelete(key: string, options?: MetaDeleteCallOptions): Promise<MetaDeleteResult>;
}

/**
 * Read-through with a lease (see Client.getOrLoad): one algorithm for every client, written once.
 * On a miss exactly one caller (the one the server marks W) runs `loader` and stores its value with
 * cas; the others wait and retry, or get the stale value; a loader that throws releases the lease.
 */
export async function getOrLoadWith<T>(
  ops: LeaseOps,
  key: string,
  loader: () => Promise<T> | T,
  options: GetOrLoadOptions = {},
): Promise<T> {
  const leaseTtl = options.leaseTtl ?? 30;
  const waitMs = options.waitMs ?? 50;
  const deadline = Date.now() + (options.maxWaitMs ?? leaseTtl * 1000);
  for (;;) {
    const r = await ops.metaGet<T>(key, {
      cas: true,
      ttl: true,
      vivify: leaseTtl,
      ...(options.recache !== undefined ? { recache: options.recache } : {}),
      ...(options.touch !== undefined ? { touch: options.touch } : {}),
      signal: options.signal,
    });
    // With vivify a miss always comes back as a placeholder; a plain miss means a server without it.
    if (!r) return loader();
    if (r.won) return loadWithLease(ops, key, loader, r, options);
    if (!r.placeholder) return r.value as T; // a hit, or the stale value while another caller reloads
    if (Date.now() >= deadline) return loader(); // the lease holder is too slow: load without storing
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    if (options.signal?.aborted) throw new AbortError(options.signal.reason);
  }
}

async function loadWithLease<T>(
  ops: LeaseOps,
  key: string,
  loader: () => Promise<T> | T,
  lease: MetaGetResult<T>,
  options: GetOrLoadOptions,
): Promise<T> {
  const compare = lease.cas !== undefined ? { compareCas: lease.cas } : {};
  let value: T;
  try {
    value = await loader();
  } catch (err) {
    // Release the lease so the next reader wins it: delete our placeholder, or re-invalidate a stale item.
    const release = lease.placeholder
      ? ops.metaDelete(key, compare)
      : ops.metaDelete(key, { invalidate: true, ttl: options.staleTtl ?? 30, ...compare });
    await release.catch(() => {});
    throw err;
  }
  // Store only over the item we leased: if it changed meanwhile (or the lease expired), keep theirs.
  await ops.metaSet(key, value, { ttl: options.ttl ?? 0, ...compare });
  return value;
}
