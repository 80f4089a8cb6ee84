import { fixText, RULES, type Finding, type LintInput, type Rule } from './meta';
import { buildModel } from './model';
import { hardcodedArch, targetarchUndeclared } from './rules/arch';
import { singlePlatformBase } from './rules/base-image';
import { buildOutputCopies } from './rules/build-output';
import { rootContextNoDockerignore } from './rules/context';
import { emulatedBuilder, fixedFinalPlatform } from './rules/stages';
import { noFrom } from './rules/structure';

export type { Finding, LintInput } from './meta';

const STAGE_RULES: Rule[] = [hardcodedArch, emulatedBuilder, fixedFinalPlatform, singlePlatformBase, targetarchUndeclared];

/** Multi-arch readiness findings for one Dockerfile, sorted by line. */
export function lintDockerfile(input: LintInput): Finding[] {
  const model = buildModel(input.text);
  const rules = [noFrom, rootContextNoDockerignore, ...(model.stages.length ? [...STAGE_RULES, buildOutputCopies] : [])];
  return rules
    .flatMap((rule) => rule({ input, model }))
    .map((hit) => ({
      rule: hit.rule,
      level: RULES[hit.rule].level,
      path: input.path,
      line: hit.line,
      message: hit.message,
      fix: fixText(hit),
    }))
    .sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule));
}
