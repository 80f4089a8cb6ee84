/**
 * docker-push against the real registry behind a fault-injecting proxy (fault-proxy.ts): dropped connections,
 * HTTP 500s, slow responses and HTTP 401. Every result is read back straight from 127.0.0.1:5000, not through the proxy.
 *
 * The proxy is served by this test process, so nothing here may block on a child process: execa (async) only.
 * Each test gets a proxy of its own: a fresh port is a registry skopeo's blob-info cache has never seen, so it uploads
 * blobs instead of mounting them from an earlier test's repository (which would leave no blob upload to fault).
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageRecord } from '../src/image/record';
import { startFaultProxy, type Fault, type FaultProxy } from './fault-proxy';
import {
  RUN_ID,
  listMismatches,
  messageOf,
  nx,
  outputDir,
  readRecordSync,
  remoteTags,
  requireRealParts,
  tempDir,
  workspaceRoot,
} from './harness';

jest.setTimeout(15 * 60 * 1000);
const PUSH_TIMEOUT = 5 * 60 * 1000;
const PROJECT = 'context-api';
const PROJECT_ROOT = 'services/context-api';
const repositoryOf = (name: string) => `${RUN_ID}-faults/${name}/${PROJECT}`;
let record: ImageRecord;

beforeAll(
  async () => {
    await requireRealParts(['podman', 'skopeo']);
    const build = await nx(['run', `${PROJECT}:docker-build`]);
    if (build.exitCode !== 0) throw new Error(`${PROJECT} build failed:\n${build.output}`);
    record = readRecordSync(PROJECT_ROOT);
  },
  15 * 60 * 1000,
);

const push = (proxy: FaultProxy, name: string, tag: string, env: Record<string, string> = {}) =>
  nx(
    [
      'run',
      `${PROJECT}:docker-push`,
      `--registry=${proxy.registry}`,
      `--imageName=${RUN_ID}-faults/${name}/{projectName}`,
      `--tag=${tag}`,
      '--tlsVerify=false',
      '--exclude-task-dependencies',
    ],
    env,
  );

/** Runs `body` with a proxy of its own, armed with `fault` (when given), and always closes it. */
async function withProxy<T>(fault: Fault | undefined, body: (proxy: FaultProxy) => Promise<T>): Promise<T> {
  const proxy = await startFaultProxy(5000);
  proxy.fault = fault;
  try {
    return await body(proxy);
  } finally {
    await proxy.close();
  }
}

/** The tag, read straight from the registry, is the build's index (same digest), whole (see listMismatches). */
async function expectCompleteList(repository: string, tag: string): Promise<void> {
  expect(await listMismatches(repository, tag, record)).toEqual([]);
}

/** A regular expression matching `text` literally. */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('docker-push through a faulty registry connection', () => {
  it(
    'completes when the connection drops mid-blob once (skopeo retries), and the tag is the complete list',
    async () => {
      const name = 'drop-mid-blob';
      await withProxy({ kind: 'drop-mid-blob', times: 1 }, async (proxy) => {
        const result = await push(proxy, name, 'dropped');
        expect(proxy.fired).toBe(1);
        expect(proxy.firedOn[0]).toMatch(/^(PATCH|PUT) \S*\/blobs\/uploads\/|^GET \S*\/blobs\/sha256:/);
        expect(result.output).not.toMatch(/Verification of .* failed/);
        expect(result.exitCode).toBe(0);
      });
      await expectCompleteList(repositoryOf(name), 'dropped');
    },
    PUSH_TIMEOUT,
  );

  it(
    'completes when blob uploads get two HTTP 500s, and the tag is the complete list',
    async () => {
      const name = 'http-500-twice';
      await withProxy({ kind: 'http-500', times: 2, match: /\/blobs\/uploads/ }, async (proxy) => {
        const result = await push(proxy, name, 'two-500s');
        expect(proxy.fired).toBe(2);
        expect({ exitCode: result.exitCode, output: result.output }).toEqual({
          exitCode: 0,
          output: expect.stringContaining('Pushed and verified'),
        });
      });
      await expectCompleteList(repositoryOf(name), 'two-500s');
    },
    PUSH_TIMEOUT,
  );

  it(
    'fails naming the 500 when every manifest PUT gets one, and a never-pushed tag stays absent',
    async () => {
      const name = 'http-500-manifest-new';
      await withProxy({ kind: 'http-500', match: /^PUT \S*\/manifests\// }, async (proxy) => {
        const result = await push(proxy, name, 'never');
        expect(proxy.fired).toBeGreaterThan(0);
        expect(result.exitCode).not.toBe(0);
        // Not the echoed command lines (they hold the registry whatever happened): the error shown names the registry
        // and the status on one line.
        expect(messageOf(result.output)).toMatch(new RegExp(`${literal(proxy.registry)}\\S*[^\\n]*500 Internal Server Error`));
      });
      expect(await remoteTags(repositoryOf(name))).not.toContain('never');
    },
    PUSH_TIMEOUT,
  );

  it(
    'fails naming the 500 when every manifest PUT gets one, and a tag pushed before still is the complete list',
    async () => {
      const name = 'http-500-manifest-kept';
      await withProxy(undefined, async (proxy) => {
        const first = await push(proxy, name, 'kept');
        expect({ exitCode: first.exitCode, fired: proxy.fired }).toEqual({ exitCode: 0, fired: 0 });
        await expectCompleteList(repositoryOf(name), 'kept');

        proxy.fault = { kind: 'http-500', match: /^PUT \S*\/manifests\// };
        const second = await push(proxy, name, 'kept');
        expect(proxy.fired).toBeGreaterThan(0);
        expect(second.exitCode).not.toBe(0);
        expect(messageOf(second.output)).toMatch(new RegExp(`${literal(proxy.registry)}\\S*[^\\n]*500 Internal Server Error`));
      });
      expect(await remoteTags(repositoryOf(name))).toEqual(['kept']);
      await expectCompleteList(repositoryOf(name), 'kept');
    },
    PUSH_TIMEOUT,
  );

  it(
    'completes and verifies when every response is 400 ms slow',
    async () => {
      const name = 'slow';
      await withProxy({ kind: 'slow', delayMs: 400 }, async (proxy) => {
        const result = await push(proxy, name, 'slow');
        expect(proxy.fired).toBeGreaterThan(10);
        // the read-back went through the slow proxy too
        expect(proxy.firedOn.some((r) => /^GET \S*\/manifests\/slow$/.test(r))).toBe(true);
        expect(result.output).toContain('Pushed and verified');
        expect(result.exitCode).toBe(0);
      });
      await expectCompleteList(repositoryOf(name), 'slow');
    },
    2 * PUSH_TIMEOUT,
  );

  it(
    'fails on HTTP 401 with an error naming the registry and how to log in',
    async () => {
      const name = 'http-401';
      await withProxy({ kind: 'http-401' }, async (proxy) => {
        const result = await push(proxy, name, 'denied');
        expect(proxy.fired).toBeGreaterThan(0);
        expect(result.exitCode).not.toBe(0);
        // The plugin's own words (not the echoed command lines, not skopeo's raw error): the registry and how to log in to it.
        const message = messageOf(result.output);
        expect(message).toContain(
          `${proxy.registry} refused the request as unauthorized: log in first with podman login ${proxy.registry}`,
        );
        expect(message).toMatch(/credentials are read from REGISTRY_AUTH_FILE/);
      });
      expect(await remoteTags(repositoryOf(name))).not.toContain('denied');
    },
    PUSH_TIMEOUT,
  );

  it(
    'never puts a credential from REGISTRY_AUTH_FILE on a command line, in the output or in image.json',
    async () => {
      const name = 'http-401-creds';
      const secret = 'SeCrEt-123';
      const encoded = Buffer.from(`user:${secret}`).toString('base64');
      const authDir = tempDir('nx-multiarch-faults-auth-');
      // 300 ms per request keeps skopeo alive long enough for the 50 ms /proc poll to see it
      await withProxy({ kind: 'http-401', delayMs: 300 }, async (proxy) => {
        const authFile = join(authDir, 'auth.json');
        await writeFile(authFile, JSON.stringify({ auths: { [proxy.registry]: { auth: encoded } } }), { mode: 0o600 });

        const leaks: string[] = [];
        let sawSkopeo = false;
        let running = true;
        const poller = (async () => {
          while (running) {
            const pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry));
            await Promise.all(
              pids.map(async (pid) => {
                const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
                const line = cmdline.replace(/\0/g, ' ');
                if (line.includes(secret) || line.includes(encoded)) leaks.push(`${pid}: ${line}`);
                if (/^\S*skopeo /.test(line)) sawSkopeo = true;
              }),
            );
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        })();

        let result: Awaited<ReturnType<typeof push>> | undefined;
        try {
          result = await push(proxy, name, 'creds', { REGISTRY_AUTH_FILE: authFile });
        } finally {
          running = false;
          await poller;
        }
        expect(sawSkopeo).toBe(true);
        // the credential did reach the registry side (so it was in play), as an Authorization header only
        expect(proxy.authorizations).toContain(`Basic ${encoded}`);
        expect(leaks).toEqual([]);
        expect(result!.exitCode).not.toBe(0);
        expect(result!.output).not.toContain(secret);
        expect(result!.output).not.toContain(encoded);
      });

      const records: string[] = [];
      const walk = async (dir: string): Promise<void> => {
        for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
          const path = join(dir, entry.name);
          if (entry.isDirectory() && entry.name !== 'oci') await walk(path);
          else if (entry.isFile() && entry.name === 'image.json') records.push(path);
        }
      };
      await walk(join(workspaceRoot, 'dist', 'images'));
      expect(records).toContain(join(outputDir(PROJECT_ROOT), 'image.json'));
      for (const path of records) {
        const text = await readFile(path, 'utf8');
        expect({ path, secret: text.includes(secret), encoded: text.includes(encoded) }).toEqual({ path, secret: false, encoded: false });
      }
    },
    PUSH_TIMEOUT,
  );
});
