import type { CommandTraceContext } from '@mc/client';
import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_DB_OPERATION_BATCH_SIZE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_RESPONSE_RETURNED_ROWS,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_MC_KEYS,
  ATTR_MC_NOREPLY,
  ATTR_NETWORK_TRANSPORT,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  DB_SYSTEM_NAME_VALUE_MEMCACHED,
} from './attributes.js';

/**
 * The span name: `{db.operation.name} {target}`, the target being `server.address:server.port`
 * (or the socket path), as the conventions name database spans without a query summary.
 */
export function spanName(ctx: CommandTraceContext): string {
  return `${ctx.command} ${target(ctx)}`;
}

function target(ctx: CommandTraceContext): string {
  if (ctx.socketPath !== undefined) return ctx.socketPath;
  if (ctx.host !== undefined && ctx.port !== undefined)
    return ctx.host.includes(':') ? `[${ctx.host}]:${ctx.port}` : `${ctx.host}:${ctx.port}`;
  return ctx.server;
}

/** Attributes known when the call starts (given at span creation, so samplers see them). */
export function startAttributes(ctx: CommandTraceContext, captureKeys: number): Attributes {
  const attrs: Attributes = {
    [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_MEMCACHED,
    [ATTR_DB_OPERATION_NAME]: ctx.command,
    [ATTR_SERVER_ADDRESS]: ctx.socketPath ?? ctx.host ?? ctx.server,
  };
  if (ctx.port !== undefined) attrs[ATTR_SERVER_PORT] = ctx.port;
  if (ctx.socketPath !== undefined) attrs[ATTR_NETWORK_TRANSPORT] = 'unix';
  // The conventions count a batch from two operations on; a one-key getMany is not one.
  if (ctx.batchSize !== undefined && ctx.batchSize >= 2) attrs[ATTR_DB_OPERATION_BATCH_SIZE] = ctx.batchSize;
  if (ctx.noreply) attrs[ATTR_MC_NOREPLY] = true;
  if (captureKeys > 0 && ctx.keys.length > 0) attrs[ATTR_MC_KEYS] = ctx.keys.slice(0, captureKeys);
  return attrs;
}

const SINGLE_READS = new Set(['get', 'gets', 'gat', 'gats', 'metaGet']);
const MULTI_READS = new Set(['getMany', 'getsMany', 'metaGetMany']);

/** How many values a read returned (1 or 0 for one key, the hits of a multi-key read). */
export function returnedRows(ctx: CommandTraceContext): number | undefined {
  if (SINGLE_READS.has(ctx.command)) return ctx.result === undefined ? 0 : 1;
  if (MULTI_READS.has(ctx.command) && ctx.result instanceof Map) return ctx.result.size;
  return undefined;
}

/** The reply line of memcached's error replies, by mc error code. */
const STATUS_BY_CODE: Record<string, string> = {
  MC_ERR_SERVER: 'SERVER_ERROR',
  MC_ERR_CLIENT_REPLY: 'CLIENT_ERROR',
  MC_ERR_UNKNOWN_COMMAND: 'ERROR',
};

/**
 * error.type is mc's stable error code (`MC_ERR_TIMEOUT`...), or the error's class name for an
 * error that is not mc's; db.response.status_code is memcached's error reply when there was one.
 */
export function errorAttributes(error: unknown): Attributes {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    const attrs: Attributes = { [ATTR_ERROR_TYPE]: code };
    const status = STATUS_BY_CODE[code];
    if (status !== undefined) attrs[ATTR_DB_RESPONSE_STATUS_CODE] = status;
    return attrs;
  }
  const name = error instanceof Error ? error.constructor.name || error.name : undefined;
  return { [ATTR_ERROR_TYPE]: name || '_OTHER' };
}

export { ATTR_DB_RESPONSE_RETURNED_ROWS };
