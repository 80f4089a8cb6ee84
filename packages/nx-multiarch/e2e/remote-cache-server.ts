/**
 * A minimal Nx self-hosted remote cache (GET/PUT /v1/cache/{hash}, Nx's documented API), storing artifacts in a
 * folder. Nx's own local cache refuses artifacts another workspace wrote; a remote cache is how a second clone or
 * CI agent gets them, so the cache-restore test goes through one. Its folder goes when the test file is done (tempDir).
 */
import { createReadStream, createWriteStream, existsSync, renameSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '../../../tools/fixtures/workspace-kit';

export interface RemoteCache {
  url: string;
  hits: string[];
  requests: string[];
  stored: string[];
  close(): Promise<void>;
}

export async function startRemoteCache(): Promise<RemoteCache> {
  const dir = tempDir('nx-remote-cache-');
  const hits: string[] = [];
  const stored: string[] = [];
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const hash = /^\/v1\/cache\/([\w-]+)$/.exec(req.url ?? '')?.[1];
    if (!hash) return void res.writeHead(404).end();
    const file = join(dir, hash);
    if (req.method === 'GET') {
      if (!existsSync(file)) return void res.writeHead(404).end();
      hits.push(hash);
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return void createReadStream(file).pipe(res);
    }
    if (req.method === 'PUT') {
      if (existsSync(file)) return void req.resume().on('end', () => res.writeHead(409).end());
      const partial = `${file}.partial`;
      req.pipe(createWriteStream(partial)).on('finish', () => {
        renameSync(partial, file);
        stored.push(hash);
        res.writeHead(200).end();
      });
      return;
    }
    res.writeHead(405).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, hits, requests, stored, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
