import { describe, expect, it } from 'vitest';
import { MalformedConfigError, parseClusterConfig } from '../src/index.js';

const wrap = (payload: string, head = 'CONFIG cluster 0') =>
  `${head} ${Buffer.byteLength(payload)}\r\n${payload}\r\nEND\r\n`;

describe('parseClusterConfig', () => {
  it('parses config get cluster, IPv6 included', () => {
    const payload =
      '12\nnode-1.cache.amazonaws.com|10.0.0.1|11211 node-2.cache.amazonaws.com|2600:1f18::5|11212\n';
    expect(parseClusterConfig(wrap(payload))).toEqual({
      version: 12,
      nodes: [
        { hostname: 'node-1.cache.amazonaws.com', ip: '10.0.0.1', port: 11211 },
        { hostname: 'node-2.cache.amazonaws.com', ip: '2600:1f18::5', port: 11212 },
      ],
    });
  });

  it('parses the legacy get AmazonElastiCache:cluster reply and an empty ip', () => {
    const r = parseClusterConfig(wrap('3\nhost-a||11211\n', 'VALUE AmazonElastiCache:cluster 0'));
    expect(r).toEqual({ version: 3, nodes: [{ hostname: 'host-a', ip: '', port: 11211 }] });
  });

  it.each([
    ['garbage', 'hello\r\n'],
    ['no nodes', wrap('5\n\n')],
    ['bad version', wrap('v5\na|1.2.3.4|11211\n')],
    ['bad entry', wrap('5\na|1.2.3.4\n')],
    ['bad port', wrap('5\na|1.2.3.4|99999\n')],
    ['short body', 'CONFIG cluster 0 500\r\n1\na|b|1\n\r\nEND\r\n'],
  ])('%s is a MalformedConfigError', (_n, reply) => {
    expect(() => parseClusterConfig(reply)).toThrow(MalformedConfigError);
  });
});
