import { PlatformProgress } from './progress';

describe('PlatformProgress', () => {
  it('prefixes unannounced lines with the platform podman last named and times each platform', () => {
    const lines: string[] = [];
    let now = 0;
    const progress = new PlatformProgress(
      (line) => lines.push(line),
      () => now,
    );
    progress.line('Resolving base images');
    progress.line('[linux/arm64] STEP 2/3: RUN uname -m');
    now = 4000;
    progress.line('aarch64');
    progress.line('[linux/amd64] STEP 1/3: FROM x');
    now = 5000;
    progress.line('--> abc');
    expect(lines).toEqual([
      'Resolving base images',
      '[linux/arm64] STEP 2/3: RUN uname -m',
      '[linux/arm64] aarch64',
      '[linux/amd64] STEP 1/3: FROM x',
      '[linux/amd64] --> abc',
    ]);
    expect(progress.seconds('linux/arm64')).toBe(4);
    expect(progress.seconds('linux/amd64')).toBe(1);
    expect(progress.seconds('linux/s390x')).toBeUndefined();
  });

  it('with platforms building at once, prefixes a line podman did not prefix with every platform still building', () => {
    const lines: string[] = [];
    const progress = new PlatformProgress((line) => lines.push(line), Date.now, true);
    progress.line('[linux/arm64] STEP 2/3: RUN uname -m');
    progress.line('[linux/amd64] STEP 2/3: RUN uname -m');
    progress.line('x86_64');
    progress.line(`[linux/amd64] ${'a'.repeat(64)}`);
    progress.line('aarch64');
    expect(lines.slice(2)).toEqual(['[linux/amd64|linux/arm64] x86_64', `[linux/amd64] ${'a'.repeat(64)}`, '[linux/arm64] aarch64']);
  });
});
