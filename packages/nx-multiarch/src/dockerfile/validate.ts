import { DockerfileParser } from 'dockerfile-ast';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BuildInputError } from '../core/errors';

const INSTRUCTIONS = [
  'FROM',
  'RUN',
  'CMD',
  'LABEL',
  'MAINTAINER',
  'EXPOSE',
  'ENV',
  'ADD',
  'COPY',
  'ENTRYPOINT',
  'VOLUME',
  'USER',
  'WORKDIR',
  'ARG',
  'ONBUILD',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
];

/**
 * Checks what the engine would only report after starting (and then about the plugin's temporary copy of the file):
 * unknown instructions, no FROM, a target stage the Dockerfile does not have. Errors name the user's file and line.
 */
export function validateDockerfile(text: string, path: string, target?: string): void {
  const dockerfile = DockerfileParser.parse(text);
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (!INSTRUCTIONS.includes(keyword.toUpperCase())) {
      throw new BuildInputError(
        `${path}:${instruction.getRange().start.line + 1}: unknown instruction "${keyword}". Dockerfile instructions are ${INSTRUCTIONS.join(', ')}.`,
      );
    }
  }
  const froms = dockerfile.getFROMs();
  if (froms.length === 0) throw new BuildInputError(`${path} has no FROM instruction: start the build stage with FROM <image>.`);
  if (target === undefined) return;
  const stages = froms.map((from) => from.getBuildStage()).filter((name): name is string => Boolean(name));
  if (!stages.some((stage) => stage.toLowerCase() === target.toLowerCase())) {
    const known = stages.length > 0 ? `its stages are ${stages.join(', ')}` : 'it names no stage (FROM <image> AS <name>)';
    throw new BuildInputError(
      `target stage "${target}" is not in ${path}: ${known}. Set target to one of them, or drop it to build the last stage.`,
    );
  }
}

export function validateDockerfileFile(dockerfile: string, workspaceRoot: string, target?: string): void {
  validateDockerfile(readFileSync(dockerfile, 'utf8'), relative(workspaceRoot, dockerfile), target);
}
