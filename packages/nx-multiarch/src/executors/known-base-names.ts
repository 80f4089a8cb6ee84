import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { textDigest } from '../core/digest';
import { PLUGIN_NAME } from '../core/conventions';
import { workspaceDataDirectoryForWorkspace } from '../devkit';
import type { KnownBaseNames } from '../engines/types';

/** What picks the podman store a build uses: the user, and the settings and variables that move the store or the service. */
function storeKey(env: NodeJS.ProcessEnv): string {
  const picks = ['HOME', 'XDG_DATA_HOME', 'CONTAINERS_STORAGE_CONF', 'CONTAINER_HOST', 'CONTAINER_CONNECTION'].map(
    (name) => env[name] ?? '',
  );
  return textDigest(JSON.stringify([process.getuid?.() ?? '', ...picks])).slice(0, 16);
}

/**
 * The pinned base names (podman-bases.ts) that the current podman store was seen to hold, one file per store in Nx's
 * workspace data directory (`nx reset` forgets them). A name added here was in the store then; one removed from the
 * store since fails the build the engine's plan restarts. Unreadable or unwritable: nothing is known.
 */
export function knownBaseNames(workspaceRoot: string, env: NodeJS.ProcessEnv = process.env): KnownBaseNames {
  const file = join(workspaceDataDirectoryForWorkspace(workspaceRoot), `${PLUGIN_NAME}-base-names-${storeKey(env)}.txt`);
  let names: Set<string> | undefined;
  const read = (): Set<string> => {
    if (!names) {
      try {
        names = new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean));
      } catch {
        names = new Set();
      }
    }
    return names;
  };
  return {
    has: (wanted) => wanted.length > 0 && wanted.every((name) => read().has(name)),
    remember(found) {
      const fresh = found.filter((name) => !read().has(name));
      if (fresh.length === 0) return;
      try {
        mkdirSync(dirname(file), { recursive: true });
        // Appended whole lines, one write: builds running at once each add theirs.
        appendFileSync(file, fresh.map((name) => `${name}\n`).join(''));
        for (const name of fresh) read().add(name);
      } catch {
        // a read-only workspace: the store is asked again next time
      }
    },
  };
}
