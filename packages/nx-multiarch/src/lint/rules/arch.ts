import { Arg } from 'dockerfile-ast';
import type { Rule, RuleHit } from '../meta';
import { keyword, lineAt, PACKAGE_INSTALL, PLATFORM_ARGS, sourceOf, stageLabel, variableUse, type Source } from '../model';

const ARCH = /(?<![A-Za-z0-9])(?:x86_64|amd64|aarch64|arm64|armv7l?|i386)(?![A-Za-z0-9])/;
const GOARCH = /\bGOARCH=["']?(amd64|arm64|arm|386)\b/g;
const URL = /https?:\/\/[^\s"'<>]+/g;
/** An instruction that uses one of these chooses the architecture per platform, so the names it mentions are a mapping. */
const PER_PLATFORM = variableUse(['TARGETARCH', 'TARGETPLATFORM', 'BUILDARCH', 'BUILDPLATFORM']);
const SCANNED = new Set(['RUN', 'ADD', 'ENV', 'ARG']);

interface Mention {
  offset: number;
  message: string;
}

function goarchMentions(source: Source): Mention[] {
  return [...source.flat.matchAll(GOARCH)].map((m) => ({
    offset: m.index,
    message: `GOARCH=${m[1]} is fixed: every platform's image gets the ${m[1]} build.`,
  }));
}

function urlMentions(source: Source): Mention[] {
  return [...source.flat.matchAll(URL)]
    .filter((m) => ARCH.test(m[0]))
    .map((m) => ({
      offset: m.index,
      message: `${m[0].match(ARCH)![0]} is hard-coded in ${m[0]}: every platform's image downloads the same binary.`,
    }));
}

function packageMentions(source: Source): Mention[] {
  const mentions: Mention[] = [];
  for (const install of source.flat.matchAll(PACKAGE_INSTALL)) {
    const argsStart = install.index + install[0].length;
    const rest = source.flat.slice(argsStart);
    const end = rest.search(/&&|[;|\n]/);
    const args = end === -1 ? rest : rest.slice(0, end);
    for (const word of args.matchAll(/\S+/g)) {
      if (!word[0].startsWith('-') && ARCH.test(word[0])) {
        mentions.push({
          offset: argsStart + word.index,
          message: `package ${word[0]} names ${word[0].match(ARCH)![0]}: every platform's image installs it.`,
        });
      }
    }
  }
  return mentions;
}

/** hardcoded-arch: one finding per line that names a fixed architecture in GOARCH, a download URL or a package name. */
export const hardcodedArch: Rule = ({ model }) => {
  const hits: RuleHit[] = [];
  const instructions = [...model.preamble, ...model.stages.flatMap((stage) => stage.body)];
  for (const instruction of instructions.filter((i) => SCANNED.has(keyword(i)))) {
    const source = sourceOf(model, instruction);
    if (source.flat.match(PER_PLATFORM)) continue;
    const mentions = [...goarchMentions(source), ...urlMentions(source), ...packageMentions(source)].sort((a, b) => a.offset - b.offset);
    const seenLines = new Set<number>();
    for (const mention of mentions) {
      const line = lineAt(source, mention.offset);
      if (!seenLines.has(line)) hits.push({ rule: 'hardcoded-arch', line, message: mention.message });
      seenLines.add(line);
    }
  }
  return hits;
};

/** targetarch-undeclared: BuildKit only fills in a platform ARG inside a stage that declares it; elsewhere it expands to "". */
export const targetarchUndeclared: Rule = ({ model }) => {
  const hits: RuleHit[] = [];
  for (const stage of model.stages) {
    const declared = new Set<string>();
    const reported = new Set<string>();
    for (const instruction of stage.body) {
      const source = sourceOf(model, instruction);
      for (const use of source.flat.matchAll(variableUse(PLATFORM_ARGS))) {
        const name = use[1];
        if (declared.has(name) || reported.has(name)) continue;
        reported.add(name);
        hits.push({
          rule: 'targetarch-undeclared',
          line: lineAt(source, use.index),
          message: `$${name} is used in ${stageLabel(stage)} (FROM on line ${stage.line}) without ARG ${name} in that stage, so it is empty there.`,
          vars: { name, fromLine: stage.line },
        });
      }
      if (instruction instanceof Arg) {
        for (const arg of instruction.getArguments()) declared.add(arg.getValue().split('=')[0]);
      }
    }
  }
  return hits;
};
