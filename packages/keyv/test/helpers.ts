import { randomBytes } from 'node:crypto';

/** A random key prefix, so test files sharing one memcached never see each other's keys. */
export function uniquePrefix(label = 'keyv'): string {
  return `${label}:${randomBytes(6).toString('hex')}:`;
}
