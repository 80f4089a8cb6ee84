import { substituteArgs, parseDockerfile } from '../../dockerfile/parse';
import type { Rule, RuleHit } from '../meta';

/** single-platform-base: a digest pin of one platform's manifest makes every platform's image use that platform's base. */
export const singlePlatformBase: Rule = ({ model, input }) => {
  if (!input.baseImagePlatforms) return [];
  const { globalArgs } = parseDockerfile(input.text);
  const hits: RuleHit[] = [];
  for (const stage of model.stages) {
    const image = substituteArgs(stage.image, globalArgs);
    if (!/@sha256:[0-9a-f]+$/i.test(image)) continue;
    const platforms = input.baseImagePlatforms(image);
    if (platforms?.length !== 1) continue;
    hits.push({
      rule: 'single-platform-base',
      line: stage.line,
      message: `${image} is the digest of a single-platform manifest (${platforms[0]}), not of a multi-platform index.`,
      vars: { name: image.split('@')[0] },
    });
  }
  return hits;
};
