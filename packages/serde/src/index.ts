/** The serialization interface for mc, the default serde (pymemcache-compatible flags) and compression codecs. */
export const PACKAGE_NAME = '@mc/serde';
