/**
 * A loopback HTTP proxy in front of the real registry that injects faults on demand, for docker-push's fault tests.
 * Arm a fault by assigning it (`proxy.fault = { kind: 'http-500', times: 2, match: /\/blobs\/uploads\// }`); assigning
 * resets the count of fired faults. With no fault armed (or once `times` is used up) requests pass through unchanged.
 *
 * `serve-other-manifest` lies about what landed: for GET/HEAD of /v2/<repo>/manifests/<tag> after that path was PUT
 * through this proxy (the push), it answers with `rewrite` applied to the manifest the real registry serves (a list
 * missing a platform, or an entry with another digest), with a matching Docker-Content-Digest. The registry keeps
 * what was pushed; only the read-back is wrong, which is what the verifiers must catch.
 *
 * `hold` reads the request and never answers nor forwards it: the client waits until it gives up or is stopped (an
 * interrupt test signals nx once `fired` says the request arrived), and the proxy's close ends the connection.
 *
 * Everything here is asynchronous: the test process serves the proxy, so it must never block on a child process.
 */
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHash } from 'node:crypto';

export type FaultKind = 'drop-mid-blob' | 'http-500' | 'http-401' | 'slow' | 'serve-other-manifest' | 'hold';

export interface Fault {
  kind: FaultKind;
  /** How many requests the fault hits; unlimited when absent. */
  times?: number;
  /** Only requests whose "METHOD /path?query" matches are hit (drop-mid-blob also needs a blob body, see below). */
  match?: RegExp;
  /** Delay before a hit request is answered or forwarded: the whole fault for `slow` (default 1500 ms), extra for the others. */
  delayMs?: number;
  /** serve-other-manifest: what to serve instead of the registry's manifest (parsed JSON in, JSON to serve out) */
  rewrite?: (manifest: any) => any;
}

export interface LoggedRequest {
  method: string;
  url: string;
  /** status sent to the client; undefined when the connection was dropped */
  status?: number;
  /** the fault that hit this request, if any */
  fault?: FaultKind;
}

export interface FaultProxy {
  /** host:port to push to */
  registry: string;
  /** the armed fault; assigning one resets `fired` and `firedOn` */
  fault: Fault | undefined;
  /** every request since the proxy started (or since clearLog) */
  log: LoggedRequest[];
  /** "METHOD /path" of every request */
  readonly requests: string[];
  /** how many times the armed fault fired */
  readonly fired: number;
  /** "METHOD /path" of each request the fault hit */
  readonly firedOn: string[];
  /** Authorization headers the clients sent (to check credentials reached the registry side, and only there) */
  readonly authorizations: string[];
  /** serve-other-manifest: the digest of each manifest it served instead of the registry's */
  readonly served: string[];
  clearLog(): void;
  close(): Promise<void>;
}

const BLOB_UPLOAD = /\/blobs\/uploads\//;
const BLOB_GET = /\/blobs\/sha256:[0-9a-f]{64}/;
const MANIFEST_PATH = /^\/v2\/.+\/manifests\/[^/?]+/;
const pathOf = (url: string) => url.split('?')[0];

function errorBody(code: string, message: string): string {
  return JSON.stringify({ errors: [{ code, message, detail: 'injected by the e2e fault proxy' }] });
}

/** A blob upload that carries data (PATCH/PUT with a body), or a blob download. */
function carriesBlob(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  if (req.method === 'GET' && BLOB_GET.test(url)) return true;
  if ((req.method === 'PATCH' || req.method === 'PUT') && BLOB_UPLOAD.test(url)) {
    const length = Number(req.headers['content-length'] ?? '0');
    return length > 0 || req.headers['transfer-encoding'] !== undefined;
  }
  return false;
}

export async function startFaultProxy(upstreamPort = 5000): Promise<FaultProxy> {
  // Its own connections to the registry, closed with the proxy: pooled ones would keep Jest's process alive.
  const agent = new Agent({ keepAlive: false });
  let armed: Fault | undefined;
  let remaining = Infinity;
  let fired = 0;
  let firedOn: string[] = [];
  let log: LoggedRequest[] = [];
  const authorizations: string[] = [];
  const served: string[] = [];
  /** manifest paths a PUT through this proxy created (the registry answered 201) */
  const pushedManifests = new Set<string>();
  const sockets = new Set<Socket>();

  /** Whether the armed fault hits this request; consumes one of its `times` when it does. */
  function take(req: IncomingMessage): Fault | undefined {
    if (!armed || remaining <= 0) return undefined;
    if (armed.match && !armed.match.test(`${req.method} ${req.url}`)) return undefined;
    if (armed.kind === 'drop-mid-blob' && !carriesBlob(req)) return undefined;
    if (
      armed.kind === 'serve-other-manifest' &&
      !((req.method === 'GET' || req.method === 'HEAD') && pushedManifests.has(pathOf(req.url ?? '')))
    )
      return undefined;
    remaining -= 1;
    fired += 1;
    firedOn.push(`${req.method} ${req.url}`);
    return armed;
  }

  function forward(req: IncomingMessage, res: ServerResponse, entry: LoggedRequest, dropMidBlob: boolean): void {
    const upstream = request(
      { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        if (dropMidBlob && req.method === 'GET') {
          // Send the headers and part of the blob, then cut the connection.
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.once('data', (chunk: Buffer) => {
            answer.pause();
            res.write(chunk.subarray(0, Math.max(1, Math.floor(chunk.length / 2))), () => {
              setTimeout(() => {
                res.socket?.destroy();
                answer.destroy();
              }, 20);
            });
          });
          return;
        }
        entry.status = answer.statusCode;
        if (req.method === 'PUT' && answer.statusCode === 201 && MANIFEST_PATH.test(req.url ?? ''))
          pushedManifests.add(pathOf(req.url ?? ''));
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.socket?.destroy());
    if (dropMidBlob && req.method !== 'GET') {
      // Forward part of the uploaded body to the registry, then cut both connections.
      req.once('data', (chunk: Buffer) => {
        req.pause();
        upstream.write(chunk.subarray(0, Math.max(1, Math.floor(chunk.length / 2))), () => {
          setTimeout(() => {
            upstream.destroy();
            req.socket.destroy();
          }, 20);
        });
      });
      req.resume();
      return;
    }
    req.pipe(upstream);
  }

  /** GETs the manifest from the registry (for a HEAD too, to know the digest), rewrites it and answers with that. */
  function serveOther(req: IncomingMessage, res: ServerResponse, entry: LoggedRequest, rewrite: (manifest: any) => any): void {
    req.resume();
    const upstream = request({ host: '127.0.0.1', port: upstreamPort, method: 'GET', path: req.url, headers: req.headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const original = Buffer.concat(chunks);
        if (answer.statusCode !== 200) {
          entry.status = answer.statusCode;
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(req.method === 'HEAD' ? undefined : original);
          return;
        }
        const body = Buffer.from(JSON.stringify(rewrite(JSON.parse(original.toString('utf8')))));
        const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
        served.push(digest);
        entry.status = 200;
        const { 'transfer-encoding': _chunked, ...headers } = answer.headers;
        res.writeHead(200, { ...headers, 'content-length': String(body.length), 'docker-content-digest': digest, etag: `"${digest}"` });
        res.end(req.method === 'HEAD' ? undefined : body);
      });
    });
    upstream.on('error', () => res.socket?.destroy());
    upstream.end();
  }

  const server: Server = createServer((req, res) => {
    const entry: LoggedRequest = { method: req.method ?? '', url: req.url ?? '' };
    log.push(entry);
    if (req.headers.authorization) authorizations.push(req.headers.authorization);
    const fault = take(req);
    if (fault) entry.fault = fault.kind;
    const apply = () => {
      switch (fault?.kind) {
        case 'http-500':
          req.resume();
          entry.status = 500;
          res.writeHead(500, { 'content-type': 'application/json', connection: 'close' });
          res.end(errorBody('UNKNOWN', 'internal server error (injected fault)'));
          return;
        case 'http-401':
          req.resume();
          entry.status = 401;
          res.writeHead(401, {
            'content-type': 'application/json',
            'www-authenticate': 'Basic realm="test"',
            'docker-distribution-api-version': 'registry/2.0',
          });
          res.end(errorBody('UNAUTHORIZED', 'authentication required'));
          return;
        case 'drop-mid-blob':
          forward(req, res, entry, true);
          return;
        case 'serve-other-manifest':
          serveOther(req, res, entry, fault.rewrite ?? ((manifest) => manifest));
          return;
        case 'hold':
          req.resume();
          return;
        default: // no fault, or slow
          forward(req, res, entry, false);
      }
    };
    const delay = fault?.delayMs ?? (fault?.kind === 'slow' ? 1500 : 0);
    if (delay > 0) {
      req.pause();
      setTimeout(apply, delay);
    } else {
      apply();
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    registry: `127.0.0.1:${port}`,
    get fault() {
      return armed;
    },
    set fault(value: Fault | undefined) {
      armed = value;
      remaining = value?.times ?? Infinity;
      fired = 0;
      firedOn = [];
    },
    get log() {
      return log;
    },
    set log(value: LoggedRequest[]) {
      log = value;
    },
    get requests() {
      return log.map((r) => `${r.method} ${r.url}`);
    },
    get fired() {
      return fired;
    },
    get firedOn() {
      return firedOn;
    },
    authorizations,
    served,
    clearLog() {
      log = [];
    },
    close() {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
