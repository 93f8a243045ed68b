/** memcached wire format: text and meta encoders, incremental reply parser, key rules, base errors. No I/O. */
export const PACKAGE_NAME = '@mc/protocol';
