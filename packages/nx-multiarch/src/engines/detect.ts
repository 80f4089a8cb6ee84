import { docker } from './docker';
import { podman } from './podman';
import type { Engine } from './types';
import { ToolMissingError } from '../core/errors';
import { installHint } from '../run/errors';
import { onPath } from '../run/path';

/** auto prefers podman when installed, else docker (with buildx); an explicit choice must be installed. */
export function selectEngine(requested: 'auto' | 'podman' | 'docker', path?: string): Engine {
  if (requested === 'podman' || requested === 'docker') {
    if (!onPath(requested, path)) throw new ToolMissingError(requested, installHint(requested));
    return requested === 'podman' ? podman : docker;
  }
  if (onPath('podman', path)) return podman;
  if (onPath('docker', path)) return docker;
  throw new ToolMissingError(
    'podman',
    'No container engine found (engine "auto" looked for podman, then docker). Install podman >= 3.4 (apt-get install podman) or docker with the buildx plugin.',
  );
}
