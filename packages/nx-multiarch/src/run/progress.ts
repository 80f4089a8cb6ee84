/**
 * podman prefixes build steps with "[linux/arm64]" but not the output of RUN steps; this keeps track of the
 * platform last announced and prefixes the rest, and times each platform from its first to its last line.
 */
export class PlatformProgress {
  private current: string | undefined;
  private readonly spans = new Map<string, { first: number; last: number }>();
  private readonly building = new Set<string>();

  /**
   * `concurrent`: the platforms build at the same time (podman --jobs > 1), so a line podman did not prefix belongs to
   * any platform still building: it is prefixed with all of them ([linux/amd64|linux/arm64]) rather than a guess.
   */
  constructor(
    private readonly write: (line: string) => void,
    private readonly now: () => number = Date.now,
    private readonly concurrent = false,
  ) {}

  line = (line: string): void => {
    const announced = /^\[([a-z0-9_]+\/[a-z0-9_]+(?:\/[a-z0-9_]+)?)\]/.exec(line)?.[1];
    if (announced) {
      this.current = announced;
      // podman's last line for a platform is its image ID alone
      if (/^\[\S+\] [0-9a-f]{64}$/.test(line)) this.building.delete(announced);
      else this.building.add(announced);
    }
    const still = [...this.building].sort();
    const owner = announced ?? (this.concurrent && still.length > 0 ? (still.length === 1 ? still[0] : undefined) : this.current);
    if (owner) {
      const span = this.spans.get(owner);
      const t = this.now();
      this.spans.set(owner, { first: span?.first ?? t, last: t });
    }
    if (announced || !this.current) this.write(line);
    else this.write(`[${owner ?? still.join('|')}] ${line}`);
  };

  /** Seconds between the first and last line of each platform, as far as the engine said. */
  seconds(platform: string): number | undefined {
    const span = this.spans.get(platform);
    return span && (span.last - span.first) / 1000;
  }
}
