/** memcached client for one server: pipelined, typed errors, timeouts that never desynchronise the stream. */
export const PACKAGE_NAME = '@mc/client';
