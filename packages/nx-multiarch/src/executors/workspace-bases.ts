import type { ExecutorContext } from '../devkit';
import { DockerfileParser } from 'dockerfile-ast';
import { cpSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOutputOf } from './context';
import { repositoryOf } from '../image/reference';
import { projectImageRepositories } from '../plugin/base-images';
import { parseDockerfile, substituteArgs } from '../dockerfile/parse';
import { LAYOUT_DIR } from '../core/conventions';

/**
 * Where a base image project's layout is copied: a path made of its project name and index digest. podman records the
 * FROM reference in the image (history, base.name annotation): a path that depends only on the base's content keeps
 * the dependent's digest the same in every clone.
 */
function stableLayoutPath(project: string, indexDigest: string): string {
  return join(tmpdir(), 'nx-multiarch-bases', `${project}-${indexDigest.replace('sha256:', '').slice(0, 16)}`);
}

const indexDigestOf = (layout: string) =>
  (JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> }).manifests[0].digest;

function stableLayoutCopy(project: string, layout: string): string {
  const destination = stableLayoutPath(project, indexDigestOf(layout));
  if (!existsSync(destination)) {
    const partial = `${destination}.partial-${process.pid}`;
    cpSync(layout, partial, { recursive: true });
    renameSync(partial, destination);
    rmSync(partial, { recursive: true, force: true });
  }
  return destination;
}

/** The base's layout as the FROM names it: copied in a real run; in a dry run only named, from its current output if any. */
function baseLayout(project: string, layout: string, dryRun: boolean, notes: string[]): string | undefined {
  const built = existsSync(join(layout, 'index.json'));
  if (!dryRun) return built ? stableLayoutCopy(project, layout) : undefined;
  if (built) {
    notes.push(
      `${project}'s base image layout is named from its build output as it is now; if its build above changes it, a real run names the new one.`,
    );
    return stableLayoutPath(project, indexDigestOf(layout));
  }
  notes.push(
    `${project} has no build output yet: a real run builds it first and its layout is named by its index digest, so the Dockerfile copy a real run builds differs from this one there (and in its path).`,
  );
  return stableLayoutPath(project, '<index digest>');
}

/**
 * A Dockerfile whose FROM names another workspace project's image is built from that project's fresh build output
 * (`FROM oci:<layout>:latest`), never from a registry copy that may be stale. Returns the Dockerfile text to build and
 * the projects used; the text is unchanged when no FROM names a built workspace project.
 */
export function useWorkspaceBases(
  context: ExecutorContext,
  text: string,
  buildArgs: Record<string, string>,
  dryRun = false,
): { text: string; bases: string[]; notes: string[] } {
  const repositories = projectImageRepositories(context.projectsConfigurations.projects);
  const { globalArgs } = parseDockerfile(text);
  const lines = text.split('\n');
  const bases: string[] = [];
  const notes: string[] = [];
  const froms = DockerfileParser.parse(text).getFROMs().reverse(); // edit from the end so earlier ranges stay valid
  for (const from of froms) {
    const image = from.getImage();
    const range = from.getImageRange();
    const project = image && repositories.get(repositoryOf(substituteArgs(image, globalArgs, buildArgs)));
    if (!project || !range || project === context.projectName || range.start.line !== range.end.line) continue;
    const layout = baseLayout(project, join(buildOutputOf(context, project), LAYOUT_DIR), dryRun, notes);
    if (!layout) continue;
    const line = lines[range.start.line];
    lines[range.start.line] = `${line.slice(0, range.start.character)}oci:${layout}:latest${line.slice(range.end.character)}`;
    bases.push(project);
  }
  return { text: lines.join('\n'), bases: bases.reverse(), notes: notes.reverse() };
}
