/** ElastiCache (memcached) auto discovery for mc. */
export const PACKAGE_NAME = '@mc/aws-discovery';
