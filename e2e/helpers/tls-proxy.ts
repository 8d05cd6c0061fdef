import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The first of `names` found in the usual places or on PATH, else undefined. */
export function findTool(...names: string[]): string | undefined {
  const dirs = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', ...(process.env.PATH ?? '').split(':')];
  for (const name of names) for (const dir of dirs) if (dir && existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

export interface TestCertificates {
  caPem: string;
  certPem: string;
  keyPem: string;
  /** base64 sha256 of the leaf's SubjectPublicKeyInfo, for `--ignore-certificate-errors-spki-list`. */
  spki: string;
}

/**
 * A test CA and a certificate it signs for `hostname` and `*.hostname` (the app and every
 * site), made with openssl in `dir`. Valid for two days; P-256 keys, so it takes
 * milliseconds.
 */
export async function makeTestCertificates(dir: string, hostname: string): Promise<TestCertificates> {
  const f = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await run('openssl', ['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=p2p e2e test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await run('openssl', ['req', ...ec, '-keyout', f('site.key'), '-out', f('site.csr'), '-subj', `/CN=${hostname}`]);
  await writeFile(f('ext.cnf'), `subjectAltName=DNS:${hostname},DNS:*.${hostname}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`);
  await run('openssl', ['x509', '-req', '-in', f('site.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('site.pem'), '-days', '2', '-extfile', f('ext.cnf')]);
  const { stdout: pub } = await run('openssl', ['x509', '-in', f('site.pem'), '-pubkey', '-noout']);
  const der = await pipe('openssl', ['pkey', '-pubin', '-outform', 'der'], Buffer.from(pub));
  const { createHash } = await import('node:crypto');
  return { caPem: f('ca.pem'), certPem: f('site.pem'), keyPem: f('site.key'), spki: createHash('sha256').update(der).digest('base64') };
}

/** Runs a command with `input` on stdin and answers its stdout. */
function pipe(cmd: string, args: string[], input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
    child.stdin.end(input);
  });
}

/**
 * A HOME whose NSS database (`~/.pki/nssdb`, where Chromium on Linux reads its trust store)
 * trusts `caPem` as a root for TLS servers. Chromium then treats the certificate as really
 * valid: service workers register, unlike with `ignoreHTTPSErrors`.
 */
export async function homeTrustingCa(dir: string, caPem: string, certutil: string): Promise<string> {
  const db = join(dir, 'home', '.pki', 'nssdb');
  await run('mkdir', ['-p', db]);
  await run(certutil, ['-d', `sql:${db}`, '-N', '--empty-password']);
  await run(certutil, ['-d', `sql:${db}`, '-A', '-t', 'C,,', '-n', 'p2p e2e test CA', '-i', caPem]);
  return join(dir, 'home');
}

/** A free TCP port on 127.0.0.1 (closed again at once, so nginx can take it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface NginxProxy {
  port: number;
  /** nginx's error log so far, for a failing test's message. */
  errorLog(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The nginx configuration the README recommends, for a test: TLS on 127.0.0.1:`port` for
 * `hostname` and its subdomains, every request (WebSocket upgrades at /announce included)
 * passed to `upstreamPort` with its Host header and the client's address in
 * X-Forwarded-For. Every path nginx writes is under `dir`.
 */
export function nginxConfig(o: { dir: string; port: number; upstreamPort: number; hostname: string; cert: string; key: string }): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${join(o.dir, `${t}_temp`)};`).join('\n');
  return `# One process, no user switch: runs unprivileged, and as root on CI without a worker user.
master_process off;
worker_processes 1;
events { worker_connections 512; }
http {
  access_log off;
${temp}
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  limit_conn_zone $binary_remote_addr zone=p2p_per_ip:10m;
  server {
    listen 127.0.0.1:${o.port} ssl;
    server_name ${o.hostname} *.${o.hostname};
    ssl_certificate ${o.cert};
    ssl_certificate_key ${o.key};
    large_client_header_buffers 8 128k;
    client_max_body_size 600m;
    limit_conn p2p_per_ip 256;
    location / {
      proxy_pass http://127.0.0.1:${o.upstreamPort};
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 120s;
    }
  }
}
`;
}

/**
 * Starts Debian's nginx as a plain process with its own prefix, configuration, pid file
 * and error log in `dir`, and resolves once it accepts connections (bounded: 10 s).
 */
export async function startNginx(nginx: string, o: { dir: string; port: number; upstreamPort: number; hostname: string; cert: string; key: string }): Promise<NginxProxy> {
  const conf = join(o.dir, 'nginx.conf');
  const log = join(o.dir, 'error.log');
  await writeFile(conf, nginxConfig(o));
  const child: ChildProcess = spawn(nginx, ['-p', o.dir, '-c', conf, '-g', `daemon off; pid ${join(o.dir, 'nginx.pid')}; error_log ${log};`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const errorLog = async () => `${stderr}${await readFile(log, 'utf8').catch(() => '')}`;
  const deadline = Date.now() + 10_000;
  for (let attempt = 0; ; attempt++) {
    const state = await Promise.race([canConnect(o.port), exited.then(() => 'exited' as const)]);
    if (state === true) break;
    if (state === 'exited' || Date.now() > deadline || attempt > 200) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not start on 127.0.0.1:${o.port}: ${await errorLog()}`);
    }
    // nginx says nothing when it is ready; the next attempt waits for its port.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port: o.port,
    errorLog,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * One HTTPS request to `host` (a name under the test certificate) through the proxy on
 * 127.0.0.1:`port`, trusting only `ca`: Node resolves no `*.localhost` name by itself, so
 * the address is given and the name goes into SNI and Host. `localAddress` (any 127.x on
 * Linux) makes the client an address other than the proxy's own.
 */
export function httpsVia(port: number, host: string, path: string, o: { ca: Buffer; method?: string; body?: Uint8Array | string; headers?: Record<string, string>; localAddress?: string }): Promise<{ status: number; body: string; bytes: number; headers: import('node:http').IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, servername: host.replace(/:\d+$/, ''), path, method: o.method ?? 'GET', ca: o.ca, localAddress: o.localAddress, headers: { ...o.headers, Host: host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const all = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, body: all.toString('utf8'), bytes: all.length, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end(o.body);
  });
}
