import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Paths of a test CA and a server certificate (for localhost and 127.0.0.1) signed by it. */
export interface TestCerts {
  dir: string;
  ca: string;
  cert: string;
  key: string;
}

/** Makes a CA and a server certificate for 127.0.0.1 / localhost with openssl, in a new temp dir. */
export function makeCerts(name: string): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), `mc-certs-${name}-`));
  const p = (f: string) => join(dir, f);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name} test CA`,
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.pem'),
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    p('server.key'),
    '-out',
    p('server.csr'),
  );
  writeFileSync(p('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    p('server.csr'),
    '-CA',
    p('ca.pem'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    p('ext.cnf'),
    '-out',
    p('server.pem'),
  );
  return { dir, ca: p('ca.pem'), cert: p('server.pem'), key: p('server.key') };
}
