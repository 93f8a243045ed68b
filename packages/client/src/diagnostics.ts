import { channel } from 'node:diagnostics_channel';

/**
 * node:diagnostics_channel channels. Metrics and tracing attach with `subscribe(name, fn)`; nothing
 * is built for a channel that has no subscribers.
 */
export const channels = {
  /** { server } when a connection opens (after TLS and auth). */
  connect: channel('mc:client:connect'),
  /** { server, error? } when a connection closes or is discarded. */
  close: channel('mc:client:close'),
  /** { server, command } when a command is queued. */
  commandStart: channel('mc:client:command:start'),
  /** { server, command, durationMs } when a command's reply arrived. */
  commandEnd: channel('mc:client:command:end'),
  /** { server, command, error, durationMs } when a command failed. */
  commandError: channel('mc:client:command:error'),
  /** { server, error } when the server answered an error to a noreply command. */
  noreplyError: channel('mc:client:noreply:error'),
} as const;

/** Whether anyone subscribes to the command channels (then requests carry their command name). */
export function commandsTraced(): boolean {
  return (
    channels.commandStart.hasSubscribers ||
    channels.commandEnd.hasSubscribers ||
    channels.commandError.hasSubscribers
  );
}
