import type { ExecutorContext } from '../devkit';
import { DockerfileParser } from 'dockerfile-ast';
import { cpSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOutputOf } from './context';
import { writeFile } from 'node:fs/promises';
import { repositoryOf } from '../image/reference';
import { projectImageRepositories } from '../plugin/base-images';
import { parseDockerfile, substituteArgs } from '../dockerfile/parse';
import { LAYOUT_DIR } from '../image/record';

/**
 * The layout a base image project's build wrote, copied to a path made of its project name and index digest.
 * podman records the FROM reference in the image (history, base.name annotation): a path that depends only on the
 * base's content keeps the dependent's digest the same in every clone.
 */
function stableLayoutCopy(project: string, layout: string): string {
  const top = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
  const destination = join(tmpdir(), 'nx-multiarch-bases', `${project}-${top.manifests[0].digest.replace('sha256:', '').slice(0, 16)}`);
  if (!existsSync(destination)) {
    const partial = `${destination}.partial-${process.pid}`;
    cpSync(layout, partial, { recursive: true });
    renameSync(partial, destination);
    rmSync(partial, { recursive: true, force: true });
  }
  return destination;
}

/**
 * A Dockerfile whose FROM names another workspace project's image is built from that project's fresh build output
 * (`FROM oci:<layout>:latest`), never from a registry copy that may be stale. Returns the Dockerfile to build and
 * the projects used; the original is returned unchanged when no FROM names a built workspace project.
 */
export async function useWorkspaceBases(
  context: ExecutorContext,
  dockerfile: string,
  buildArgs: Record<string, string>,
  workDir: string,
): Promise<{ dockerfile: string; bases: string[] }> {
  const text = readFileSync(dockerfile, 'utf8');
  const repositories = projectImageRepositories(context.projectsConfigurations.projects);
  const { globalArgs } = parseDockerfile(text);
  const lines = text.split('\n');
  const bases: string[] = [];
  const froms = DockerfileParser.parse(text).getFROMs().reverse(); // edit from the end so earlier ranges stay valid
  for (const from of froms) {
    const image = from.getImage();
    const range = from.getImageRange();
    const project = image && repositories.get(repositoryOf(substituteArgs(image, globalArgs, buildArgs)));
    if (!project || !range || project === context.projectName || range.start.line !== range.end.line) continue;
    const output = buildOutputOf(context, project);
    if (!existsSync(join(output, LAYOUT_DIR, 'index.json'))) continue;
    const line = lines[range.start.line];
    lines[range.start.line] = `${line.slice(0, range.start.character)}oci:${stableLayoutCopy(project, join(output, LAYOUT_DIR))}:latest${line.slice(range.end.character)}`;
    bases.push(project);
  }
  if (bases.length === 0) return { dockerfile, bases };
  const rewritten = join(workDir, 'Dockerfile.workspace-bases');
  await writeFile(rewritten, lines.join('\n'));
  if (existsSync(`${dockerfile}.dockerignore`)) cpSync(`${dockerfile}.dockerignore`, `${rewritten}.dockerignore`);
  return { dockerfile: rewritten, bases: bases.reverse() };
}
