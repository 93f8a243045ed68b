export { FallbackClient } from './fallback-client.js';
export {
  type ErrorMatcher,
  RetryingClient,
  type RetryingClientOptions,
  UNSAFE_COMMANDS,
} from './retrying-client.js';
