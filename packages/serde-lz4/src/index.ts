/** LZ4 compression codec for mc, on lz4-napi. */
export const PACKAGE_NAME = '@mc/serde-lz4';
