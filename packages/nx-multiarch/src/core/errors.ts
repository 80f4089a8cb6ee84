import { RECORD_FILE } from './conventions';

/**
 * Every error class of the plugin, each named for what went wrong, and the hints their messages carry. Executors turn
 * any of them into a readable message and a non-zero exit (executors/context.ts reportErrors).
 */

/** An option value (nx.json, project.json, an environment variable or the command line) the schema or a check refuses. */
export class OptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionsError';
  }
}

/** What the build was asked to read or write is missing or unusable: context, Dockerfile, secret file, output folder. */
export class BuildInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildInputError';
  }
}

const PLATFORM_FORM = 'os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8';

export class InvalidPlatformError extends Error {
  constructor(
    readonly value: string,
    reason: string,
  ) {
    super(`Invalid platform "${value}": ${reason}. Use the form ${PLATFORM_FORM}.`);
    this.name = 'InvalidPlatformError';
  }
}

export class InvalidReferenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidReferenceError';
  }
}

/** An OCI layout that can't be read, or holds no image index where one must be. */
export class LayoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LayoutError';
  }
}

export class MissingBuildOutputError extends Error {
  constructor(outputDir: string) {
    super(`No build output at ${outputDir} (${RECORD_FILE} missing): run the docker-build target first (docker-push depends on it).`);
    this.name = 'MissingBuildOutputError';
  }
}

/** The installed engine is too old, or does not answer its version question. */
export class UnsupportedEngineVersionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedEngineVersionError';
  }
}

/** An option the chosen engine does not have (podman's connection with docker, buildx's builder or provenance with podman). */
export class EngineOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineOptionError';
  }
}

/** The registry's read-back after a push or a stitch is not what was pushed; the message names every difference. */
export class PushVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PushVerificationError';
  }
}

export class InterruptedError extends Error {
  constructor(signal: NodeJS.Signals) {
    super(
      `Interrupted by ${signal}: stopped, removed temporary manifest lists and the partial output. Nothing was cached or pushed by this run.`,
    );
    this.name = 'InterruptedError';
  }
}

/** A task another dry run depends on, reached without being told it is a dry run; `reason` says which and why. */
export class DryRunNotReachedError extends Error {
  constructor(reason: string, dependent: string) {
    super(
      `${reason}: nothing was run. Name one of the plugin's targets with --dry-run on the nx command line ` +
        '(Nx 21 and later; Nx 20 also needs NX_DAEMON=false and NX_ISOLATE_PLUGINS=false), ' +
        `or plan that task alone: nx run ${dependent} --dry-run --exclude-task-dependencies.`,
    );
    this.name = 'DryRunNotReachedError';
  }
}

/** `nx g nx-multiarch:status --check` found services that are not multi-arch ready or whose last verify failed. */
export class StatusCheckError extends Error {
  constructor(
    public readonly problems: string[],
    output: string,
  ) {
    super(
      `nx-multiarch:status --check: ${problems.length} problem${problems.length === 1 ? '' : 's'} (details in ${output}):\n` +
        problems.map((problem) => `  - ${problem}`).join('\n'),
    );
    this.name = 'StatusCheckError';
  }
}

export class ToolMissingError extends Error {
  constructor(
    readonly tool: string,
    hint: string,
  ) {
    super(`"${tool}" was not found on PATH. ${hint}`);
    this.name = 'ToolMissingError';
  }
}

export class CommandFailedError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | undefined,
    readonly output: string,
    hint?: string,
  ) {
    const tail = output.trim().split('\n').slice(-15).join('\n');
    super(
      `${argv.slice(0, 3).join(' ')} ... failed` +
        (exitCode === undefined ? '' : ` (exit code ${exitCode})`) +
        (hint ? `\n${hint}` : '') +
        (tail ? `\nLast output:\n${tail}` : ''),
    );
    this.name = 'CommandFailedError';
  }
}
