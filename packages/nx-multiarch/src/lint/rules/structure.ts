import type { Rule, RuleHit } from '../meta';
import { keyword } from '../model';

/** no-from: what Docker rejects before building anything: no FROM, an instruction other than ARG before it, a FROM without image. */
export const noFrom: Rule = ({ model }) => {
  if (model.stages.length === 0) {
    return [{ rule: 'no-from', line: 1, message: 'the Dockerfile has no FROM instruction, so there is no stage to build.' }];
  }
  const early: RuleHit[] = model.preamble
    .filter((instruction) => keyword(instruction) !== 'ARG')
    .map((instruction) => ({
      rule: 'no-from',
      line: instruction.getRange().start.line + 1,
      message: `${keyword(instruction)} comes before the first FROM; only ARG may.`,
    }));
  const imageless: RuleHit[] = model.stages
    .filter((stage) => !stage.image)
    .map((stage) => ({ rule: 'no-from', line: stage.line, message: 'this FROM names no image.' }));
  return [...early, ...imageless];
};
