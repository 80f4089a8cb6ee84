import { Add, Copy } from 'dockerfile-ast';
import { sourcesOf } from '../../dockerfile/parse';
import type { Rule, RuleHit } from '../meta';
import { keyword } from '../model';

/**
 * uncovered-build-output / undepended-build-output: a COPY of files git ignores (a build's output) that no target
 * declares as an output, or whose declaring target docker-build does not depend on: Nx hashes none of those files,
 * so a cached image can be older than them.
 */
export const buildOutputCopies: Rule = ({ input, model }) => {
  if (!input.copiedBuildOutput) return [];
  const hits: RuleHit[] = [];
  for (const instruction of model.stages.flatMap((stage) => stage.body)) {
    if (!(instruction instanceof Copy || instruction instanceof Add)) continue;
    if (instruction instanceof Copy && instruction.getFromFlag()) continue;
    const line = instruction.getRange().start.line + 1;
    for (const source of sourcesOf(instruction)) {
      const found = input.copiedBuildOutput(source);
      if (!found) continue;
      if (found.producers.length === 0) {
        hits.push({
          rule: 'uncovered-build-output',
          line,
          message: `${keyword(instruction)} ${source}: git ignores ${found.path} and no target declares it as an output, so Nx hashes none of it and a cached image can be older than these files.`,
          vars: { path: found.path },
        });
      } else if (!found.dependedOn) {
        const [project, target] = found.producers[0].split(':');
        hits.push({
          rule: 'undepended-build-output',
          line,
          message: `${keyword(instruction)} ${source}: ${found.producers.join(', ')} declare${found.producers.length === 1 ? 's' : ''} ${found.path} as an output, but ${input.buildTarget ?? 'docker-build'} does not depend on it, so the image can be built from stale or missing files.`,
          vars: { project, target, buildTarget: input.buildTarget ?? 'docker-build' },
        });
      }
    }
  }
  return hits;
};
