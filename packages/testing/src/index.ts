export {
  clusterPayload,
  type FakeConfigEndpoint,
  type FakeEndpointMode,
  type FakeNode,
  startFakeConfigEndpoint,
} from './fake-config-endpoint.js';
export * from './fault-servers.js';
export { type LegacyServer, type LegacyServerOptions, startLegacyServer } from './legacy-server.js';
export {
  freePort,
  MemcachedNotFoundError,
  type MemcachedProcess,
  type StartMemcachedOptions,
  startMemcached,
} from './memcached.js';
export { MockClient, type MockClientOptions } from './mock-client.js';
export {
  type NutcrackerHash,
  NutcrackerNotFoundError,
  type NutcrackerProcess,
  nutcrackerConfig,
  type StartNutcrackerOptions,
  startNutcracker,
} from './nutcracker.js';
export * from './sasl.js';
