// RetryingClient and FallbackClient live here (see docs/architecture.md).
export {};
