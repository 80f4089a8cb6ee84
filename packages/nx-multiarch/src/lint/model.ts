import { DockerfileParser, From, type Instruction } from 'dockerfile-ast';

export interface Stage {
  index: number;
  name?: string;
  from: From;
  /** 1-based line of the FROM */
  line: number;
  /** as written, e.g. ${GO_IMAGE} or golang:1.22@sha256:… */
  image: string;
  platform?: string;
  /** the instructions between this FROM and the next */
  body: Instruction[];
}

export interface DockerfileModel {
  lines: string[];
  /** instructions before the first FROM */
  preamble: Instruction[];
  stages: Stage[];
}

export function buildModel(text: string): DockerfileModel {
  const preamble: Instruction[] = [];
  const stages: Stage[] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    if (instruction instanceof From) {
      stages.push({
        index: stages.length,
        name: instruction.getBuildStage() ?? undefined,
        from: instruction,
        line: instruction.getRange().start.line + 1,
        image: instruction.getImage() ?? '',
        platform: instruction.getPlatformFlag()?.getValue() ?? undefined,
        body: [],
      });
    } else {
      (stages.at(-1)?.body ?? preamble).push(instruction);
    }
  }
  return { lines: text.split(/\r?\n/), preamble, stages };
}

export const keyword = (instruction: Instruction) => instruction.getKeyword().toUpperCase();

export const stageLabel = (stage: Stage) => (stage.name ? `stage "${stage.name}"` : `stage ${stage.index}`);

/** An instruction's full source (continuation lines and heredocs included), from its first line. */
export interface Source {
  /** the lines as written, comment lines blanked */
  text: string;
  /** text with each line continuation (and the comment lines it skips) turned into spaces: same offsets, one command per line */
  flat: string;
  /** 1-based line where text starts */
  line: number;
}

export function sourceOf(model: DockerfileModel, instruction: Instruction): Source {
  const { start, end } = instruction.getRange();
  // Docker drops comment lines inside a continued instruction; blanking them keeps offsets mapping to lines.
  const text = model.lines
    .slice(start.line, end.line + 1)
    .map((line) => (line.trimStart().startsWith('#') ? '' : line))
    .join('\n');
  const flat = text.replace(/\\\n(?:[ \t]*\n)*/g, (continuation) => ' '.repeat(continuation.length));
  return { text, flat, line: start.line + 1 };
}

export function lineAt(source: Source, offset: number): number {
  return source.line + (source.text.slice(0, offset).match(/\n/g)?.length ?? 0);
}

/** The stage that a FROM image or a --from value refers to (a stage name or index); undefined for an image. */
export function stageRef(stages: Stage[], ref: string): Stage | undefined {
  if (/^\d+$/.test(ref)) return stages[Number(ref)];
  return stages.find((stage) => stage.name?.toLowerCase() === ref.toLowerCase());
}

/** Platform ARGs that BuildKit fills in automatically; a stage still has to declare them to see them. */
export const PLATFORM_ARGS = [
  'TARGETPLATFORM',
  'TARGETOS',
  'TARGETARCH',
  'TARGETVARIANT',
  'BUILDPLATFORM',
  'BUILDOS',
  'BUILDARCH',
  'BUILDVARIANT',
];

/** `$NAME` or `${NAME…}` for one of the given names, as a global regex whose group 1 is the name. */
export function variableUse(names: string[]): RegExp {
  return new RegExp(`\\$\\{?(${names.join('|')})\\b`, 'g');
}

/** A package manager's install command; what follows it up to the end of the shell command are package names and options. */
export const PACKAGE_INSTALL = /\b(?:(?:apt-get|apt|yum|dnf|microdnf|zypper)\s+(?:-\S+\s+)*install|apk\s+(?:-\S+\s+)*add)\b/g;
