/**
 * podman prefixes build steps with "[linux/arm64]" but not the output of RUN steps; this keeps track of the
 * platform last announced and prefixes the rest, and times each platform from its first to its last line.
 */
export class PlatformProgress {
  private current: string | undefined;
  private readonly spans = new Map<string, { first: number; last: number }>();

  constructor(
    private readonly write: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  line = (line: string): void => {
    const announced = /^\[([a-z0-9_]+\/[a-z0-9_]+(?:\/[a-z0-9_]+)?)\]/.exec(line)?.[1];
    if (announced) this.current = announced;
    if (this.current) {
      const span = this.spans.get(this.current);
      const t = this.now();
      this.spans.set(this.current, { first: span?.first ?? t, last: t });
    }
    this.write(announced || !this.current ? line : `[${this.current}] ${line}`);
  };

  /** Seconds between the first and last line of each platform, as far as the engine said. */
  seconds(platform: string): number | undefined {
    const span = this.spans.get(platform);
    return span && (span.last - span.first) / 1000;
  }
}
