/**
 * A loopback HTTP proxy in front of the real registry. It logs every request (to count blob uploads) and can refuse
 * manifest lists by media type, the way some registries do. Everything else passes through unchanged.
 */
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

export interface RegistryProxy {
  registry: string;
  /** "METHOD /path" of every request */
  requests: string[];
  rejected: string[];
  close(): Promise<void>;
}

/**
 * `host` is the loopback address it listens on: the plugin treats only localhost, 127.0.0.1 and [::1] as loopback
 * registries, so a proxy on 127.0.0.2 stands for any other plain-HTTP registry.
 */
export async function startRegistryProxy(upstreamPort: number, rejectTypes: string[] = [], host = '127.0.0.1'): Promise<RegistryProxy> {
  const rejected: string[] = [];
  const requests: string[] = [];
  // Its own connections to the registry, closed with the proxy: pooled ones would keep Jest's process alive.
  const agent = new Agent({ keepAlive: false });
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const type = String(req.headers['content-type'] ?? '');
    if (req.method === 'PUT' && /\/manifests\//.test(req.url ?? '') && rejectTypes.includes(type)) {
      rejected.push(`${type} ${req.url}`);
      req.resume();
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          errors: [{ code: 'MANIFEST_INVALID', message: 'manifest invalid', detail: `media type ${type} is not supported` }],
        }),
      );
      return;
    }
    const upstream = request(
      { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const close = () => {
    agent.destroy();
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { registry: `${host}:${port}`, requests, rejected, close };
}
