import type { TestProject } from 'vitest/node';
import { type MemcachedProcess, startMemcached } from '../packages/testing/src/memcached.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** 'host:port' of the shared test memcached (started with -I 16m). */
    memcached: string;
  }
}

let servers: MemcachedProcess[] = [];

/** Starts one real memcached for the whole run. Tests isolate themselves with random key prefixes. */
export async function setup(project: TestProject): Promise<void> {
  const main = await startMemcached({ args: ['-I', '16m'], memoryMb: 256 });
  servers = [main];
  project.provide('memcached', main.address);
}

export async function teardown(): Promise<void> {
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
}
