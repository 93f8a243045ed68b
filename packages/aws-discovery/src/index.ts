/** @mc/aws-discovery: ElastiCache (memcached) auto discovery for mc. */
export { type ClusterConfig, type ClusterNode, parseClusterConfig, parsePayload } from './config.js';
export { type DiscoverOptions, discover } from './discover.js';
export {
  type Addressing,
  type ClusterChange,
  changeChannel,
  DISCOVERY_DEFAULTS,
  discoveryBackoff,
  ElastiCacheClient,
  type ElastiCacheClientOptions,
} from './elasticache-client.js';
export { DiscoveryError, MalformedConfigError, NoClusterError } from './errors.js';
