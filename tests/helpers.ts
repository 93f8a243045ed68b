import { randomBytes } from 'node:crypto';

/** A random key prefix, so tests sharing one memcached never see each other's keys. */
export function uniquePrefix(label = 't'): string {
  return `${label}:${randomBytes(6).toString('hex')}:`;
}
