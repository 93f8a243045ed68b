/** ObjectPool and PooledClient for mc. */
export const PACKAGE_NAME = '@mc/pool';
