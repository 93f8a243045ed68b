/** Key placement (rendezvous as pymemcache, ketama as libmemcached/twemproxy) and HashClient across many servers. */
export const PACKAGE_NAME = '@mc/hash';
