import { Copy, Run, type Instruction } from 'dockerfile-ast';
import type { Rule, RuleHit } from '../meta';
import { keyword, sourceOf, stageLabel, stageRef, type DockerfileModel, type Stage } from '../model';

const BUILD_COMMAND =
  /\b(?:go (?:build|install)|cargo (?:build|install)|npm (?:ci|install|i)|yarn|pnpm|pip3? install|mvnw?|gradlew?|make|gcc|apt-get\s+(?:-\S+\s+)*install|apk\s+(?:-\S+\s+)*add)\b/;
const ON_BUILD_PLATFORM = /\$\{?BUILDPLATFORM\b/;

/** COPY --from=<ref> and RUN --mount=…,from=<ref> */
function readRefs(instruction: Instruction): (string | undefined)[] {
  if (instruction instanceof Copy) return [instruction.getFromFlag()?.getValue() ?? undefined];
  if (!(instruction instanceof Run)) return [];
  return instruction
    .getFlags()
    .filter((flag) => flag.getName() === 'mount')
    .map((flag) => /(?:^|,)from=([^,]+)/.exec(flag.getValue() ?? '')?.[1]);
}

/** The line of the first COPY --from (or RUN --mount=…,from=) in another stage that reads each stage. */
function copiedFrom(model: DockerfileModel): Map<Stage, number> {
  const readers = new Map<Stage, number>();
  for (const stage of model.stages) {
    for (const instruction of stage.body) {
      for (const ref of readRefs(instruction)) {
        const source = ref ? stageRef(model.stages, ref) : undefined;
        if (source && source !== stage && !readers.has(source)) readers.set(source, instruction.getRange().start.line + 1);
      }
    }
  }
  return readers;
}

/** A stage built FROM another stage runs on that stage's platform unless it names its own. */
function platformOf(model: DockerfileModel, stage: Stage): string | undefined {
  const parent = stageRef(model.stages.slice(0, stage.index), stage.image);
  return stage.platform ?? (parent ? platformOf(model, parent) : undefined);
}

/** emulated-builder: a stage that only feeds COPY --from and compiles or installs runs under QEMU for each foreign platform. */
export const emulatedBuilder: Rule = ({ model }) => {
  const final = model.stages.at(-1);
  const bases = new Set(model.stages.map((stage) => stageRef(model.stages.slice(0, stage.index), stage.image)));
  const hits: RuleHit[] = [];
  for (const [stage, copyLine] of copiedFrom(model)) {
    if (stage === final || bases.has(stage) || ON_BUILD_PLATFORM.test(platformOf(model, stage) ?? '')) continue;
    const command = stage.body
      .filter((instruction) => keyword(instruction) === 'RUN')
      .map((run) => sourceOf(model, run).flat.match(BUILD_COMMAND)?.[0])
      .find(Boolean);
    if (!command) continue;
    hits.push({
      rule: 'emulated-builder',
      line: stage.line,
      message:
        `${stageLabel(stage)} runs \`${command.replace(/\s+/g, ' ')}\` without --platform=$BUILDPLATFORM, so it is emulated for every ` +
        `platform but the host's, although it only provides files to COPY --from (line ${copyLine}).`,
      vars: { image: stage.image, line: stage.line },
    });
  }
  return hits.sort((a, b) => a.line - b.line);
};

/** fixed-final-platform: the final image's platform must follow the platform being built. */
export const fixedFinalPlatform: Rule = ({ model }) => {
  const final = model.stages.at(-1);
  const platform = final?.platform;
  if (!final || !platform || (platform.includes('$') && !/\bBUILD(?:PLATFORM|OS|ARCH)\b/.test(platform))) return [];
  return [
    {
      rule: 'fixed-final-platform',
      line: final.line,
      message: `the final FROM has --platform=${platform}: every platform's image is built on that platform's base instead of its own.`,
      vars: { platform, line: final.line },
    },
  ];
};
