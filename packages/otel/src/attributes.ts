/*
 * Attribute names of OpenTelemetry's database-client semantic conventions, written out so that
 * @opentelemetry/semantic-conventions stays a dev dependency (the tests check them against it).
 */

export const ATTR_DB_SYSTEM_NAME = 'db.system.name';
export const ATTR_DB_OPERATION_NAME = 'db.operation.name';
export const ATTR_DB_OPERATION_BATCH_SIZE = 'db.operation.batch.size';
export const ATTR_DB_RESPONSE_STATUS_CODE = 'db.response.status_code';
/** Development status in the conventions: rows (here: values) a read returned. */
export const ATTR_DB_RESPONSE_RETURNED_ROWS = 'db.response.returned_rows';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_NETWORK_TRANSPORT = 'network.transport';

export const DB_SYSTEM_NAME_VALUE_MEMCACHED = 'memcached';

/** mc's own: the keys of the call (only with captureKeys). */
export const ATTR_MC_KEYS = 'mc.keys';
/** mc's own: true when the call was sent noreply (the span ends when it is queued). */
export const ATTR_MC_NOREPLY = 'mc.noreply';
