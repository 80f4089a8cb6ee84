/**
 * Tests (and the processes they start) get the sandbox settings tools/setup.sh wrote, if any:
 * CONTAINERS_CONF (runc, ulimits) and BUILDAH_ISOLATION=chroot on cgroups-v1 machines. Users' machines need none.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const cacheDir = process.env.NX_MULTIARCH_CACHE ?? join(homedir(), '.cache', 'nx-multiarch');
const envFile = join(cacheDir, 'sandbox.env');
if (existsSync(envFile)) {
  for (const line of readFileSync(envFile, 'utf8').split('\n')) {
    const match = /^(?:export\s+)?([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match && process.env[match[1]] === undefined) process.env[match[1]] = match[2].replace(/^["']|["']$/g, '');
  }
}
process.env.NX_DAEMON = 'false';
process.env.NX_TUI = 'false';
process.env.NX_NO_CLOUD = 'true';
// Nx loads plugins in worker processes by default; in-process loading halves every nx start on a small machine
// (README, "Speed"). Set NX_ISOLATE_PLUGINS=true to test with isolation.
process.env.NX_ISOLATE_PLUGINS ??= 'false';
