/**
 * A real containerd of the test's own: everything (root, state, sockets, opt) in a temp dir, the CRI plugin off.
 * Its output goes to a log file, so nothing has to keep reading a pipe while the tests run.
 */
import type { ResultPromise } from 'execa';
import { execa } from './processes';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { command, type Result } from './harness';

export interface Containerd {
  dir: string;
  /** The gRPC socket: ctr -a <address>. */
  address: string;
  log: string;
  /** Runs ctr against this containerd. */
  ctr(args: string[]): Promise<Result & { stdout: string }>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when `promise` does or after `ms`, whichever is first, leaving no timer behind (so Jest can exit). */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function tail(path: string, lines = 30): string {
  return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').slice(-lines).join('\n') : '(no log)';
}

/** TOML basic strings accept JSON's escaping for what a temp path can hold. */
const toml = (value: string) => JSON.stringify(value);

export async function startContainerd(readyWithinMs = 30_000): Promise<Containerd> {
  // Short: a unix socket path must fit in 108 bytes.
  const dir = await mkdtemp(join(tmpdir(), 'nxm-ctd-'));
  const address = join(dir, 'containerd.sock');
  if (Buffer.byteLength(address) > 100)
    throw new Error(`containerd socket path too long for a unix socket: ${address} (set TMPDIR to a shorter directory)`);
  const log = join(dir, 'containerd.log');
  const config = join(dir, 'config.toml');
  await writeFile(
    config,
    [
      'version = 2',
      `root = ${toml(join(dir, 'root'))}`,
      `state = ${toml(join(dir, 'state'))}`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '',
      '[grpc]',
      `  address = ${toml(address)}`,
      '',
      '[ttrpc]',
      `  address = ${toml(`${address}.ttrpc`)}`,
      '',
      // Its default is /opt/containerd, which containerd would create on the machine.
      '[plugins."io.containerd.internal.v1.opt"]',
      `  path = ${toml(join(dir, 'opt'))}`,
      '',
    ].join('\n'),
  );

  const daemon: ResultPromise = execa('containerd', ['--config', config], {
    stdin: 'ignore',
    stdout: { file: log, append: true },
    stderr: { file: log, append: true },
    reject: false,
  });
  let exited = false;
  const done = daemon.then(() => {
    exited = true;
  });

  const ctr = (args: string[]) => command(['ctr', '--address', address, ...args]);

  const stop = async () => {
    if (!exited) {
      daemon.kill('SIGTERM');
      await within(done, 10_000);
      if (!exited) daemon.kill('SIGKILL');
      await done;
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + readyWithinMs;
  let last: string;
  for (;;) {
    if (exited) {
      const why = tail(log);
      await stop();
      throw new Error(`containerd exited before it answered on ${address}:\n${why}`);
    }
    const version = await ctr(['version']);
    if (version.exitCode === 0) break;
    last = version.output;
    if (Date.now() > deadline) {
      const why = tail(log);
      await stop();
      throw new Error(`containerd did not answer on ${address} within ${readyWithinMs} ms:\n${last}\ncontainerd log:\n${why}`);
    }
    await sleep(200);
  }
  return { dir, address, log, ctr, stop };
}
