import { DockerfileParser } from 'dockerfile-ast';

export const EPOCH_LABEL = 'nx-multiarch.source-epoch';

/** The Dockerfile text with `LABEL nx-multiarch.source-epoch="<epoch>"` right after every FROM instruction. */
export function withEpochLabels(text: string, epoch: number): string {
  const lines = text.split('\n');
  const ends = DockerfileParser.parse(text)
    .getFROMs()
    .map((from) => from.getRange().end.line);
  for (const end of ends.reverse()) lines.splice(end + 1, 0, `LABEL ${EPOCH_LABEL}="${epoch}"`);
  return lines.join('\n');
}

/** A label that fits a Dockerfile LABEL line (no line breaks); the others stay `--label` flags. */
const fitsLabelLine = ([key, value]: [string, string]) => !/[\r\n]/.test(key + value);

/** `"a"="b"` with the characters a double-quoted Dockerfile word treats specially escaped (LABEL expands `$`). */
const quoteWord = (text: string) => `"${text.replace(/[\\"$]/g, (char) => `\\${char}`)}"`;

/**
 * The Dockerfile text with one LABEL instruction carrying `labels` at the end of the stage that is built (`target`, or
 * the last stage). podman 4.x makes every `--label` flag a build step of its own (an image commit, about half a second
 * each, per platform); one instruction is one step, and the image config gets the same labels.
 */
export function withImageLabels(text: string, labels: Record<string, string>, target?: string): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return text;
  const instructions = DockerfileParser.parse(text).getInstructions();
  const froms = instructions
    .map((instruction, index) => ({ instruction, index }))
    .filter(({ instruction }) => instruction.getKeyword() === 'FROM');
  const stage =
    target === undefined
      ? froms.length - 1
      : froms.findIndex(
          ({ instruction }) =>
            (instruction as unknown as { getBuildStage(): string | undefined }).getBuildStage()?.toLowerCase() === target.toLowerCase(),
        );
  if (stage < 0) return text;
  const nextFrom = froms[stage + 1]?.index ?? instructions.length;
  const lastLine = instructions[nextFrom - 1].getRange().end.line;
  const lines = text.split('\n');
  lines.splice(lastLine + 1, 0, `LABEL ${entries.map(([key, value]) => `${quoteWord(key)}=${quoteWord(value)}`).join(' ')}`);
  return lines.join('\n');
}

/**
 * The text of the Dockerfile podman builds. podman 4.x keys its layer cache without `--timestamp`, so a cached layer
 * from a build with another timestamp (same files, other commit) comes back with that build's file times and digests,
 * unlike a clean build: a label carrying the timestamp right after each FROM puts it into every later step's cache key
 * (withEpochLabels). And the image labels become one LABEL instruction in the built stage (withImageLabels).
 * Returns the text and the labels still to pass as `--label`.
 */
export function podmanDockerfileText(
  original: string,
  request: { sourceDateEpoch?: number; labels: Record<string, string>; target?: string },
): { text: string; labels: Record<string, string> } {
  const text = request.sourceDateEpoch === undefined ? original : withEpochLabels(original, request.sourceDateEpoch);
  // quoteWord escapes with a backslash: a Dockerfile with another escape character (# escape=`) keeps the flags.
  const inlineable = DockerfileParser.parse(text).getEscapeCharacter() === '\\';
  const inline = Object.fromEntries(Object.entries(request.labels).filter((entry) => inlineable && fitsLabelLine(entry)));
  const flags = Object.fromEntries(Object.entries(request.labels).filter(([key]) => !(key in inline)));
  const labelled = withImageLabels(text, inline, request.target);
  // No such stage (validation reports that first): the labels stay flags rather than vanish.
  return labelled === text ? { text, labels: request.labels } : { text: labelled, labels: flags };
}
