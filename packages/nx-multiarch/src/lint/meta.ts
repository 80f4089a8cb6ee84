import type { DockerfileModel } from './model';

export type Level = 'error' | 'warning';

export interface LintInput {
  text: string;
  /** as it should appear in findings, e.g. docker/api.Dockerfile */
  path: string;
  contextIsWorkspaceRoot?: boolean;
  /** whether the build context has a .dockerignore; absent counts as none */
  hasDockerignore?: boolean;
  /** the platforms a registry lists for an image reference, or undefined when it cannot tell */
  baseImagePlatforms?: (image: string) => string[] | undefined;
  /** for a COPY/ADD source that git ignores: the workspace path, the targets declaring it as an output, whether docker-build depends on one */
  copiedBuildOutput?: (source: string) => { path: string; producers: string[]; dependedOn: boolean } | undefined;
  /** the project's docker-build target name, for fixes */
  buildTarget?: string;
}

export interface Finding {
  rule: RuleId;
  level: Level;
  path: string;
  /** 1-based */
  line: number;
  message: string;
  fix: string;
}

/** What a rule reports; lint.ts adds the level, the path and the fix from RULES. */
export interface RuleHit {
  rule: RuleId;
  line: number;
  message: string;
  /** fills the {{placeholders}} of the rule's fix text */
  vars?: Record<string, string | number>;
}

export interface RuleContext {
  input: LintInput;
  model: DockerfileModel;
}

export type Rule = (context: RuleContext) => RuleHit[];

export const RULES = {
  'no-from': {
    level: 'error',
    fix: 'Start the Dockerfile with FROM <image> (only ARG may come before the first FROM).',
  },
  'hardcoded-arch': {
    level: 'error',
    fix:
      'Declare ARG TARGETARCH in the stage and use ${TARGETARCH} instead (map amd64→x86_64, arm64→aarch64 where the vendor names ' +
      'architectures that way, e.g. with a case on "$TARGETARCH"); tools that only run during the build use ${BUILDARCH}.',
  },
  'emulated-builder': {
    level: 'warning',
    fix:
      'Write FROM --platform=$BUILDPLATFORM {{image}} on line {{line}}; where the output is platform-specific, cross-compile with ' +
      'ARG TARGETOS and ARG TARGETARCH (e.g. GOOS=$TARGETOS GOARCH=$TARGETARCH go build).',
  },
  'fixed-final-platform': {
    level: 'error',
    fix: 'Drop --platform={{platform}} from the final FROM on line {{line}}, or write --platform=$TARGETPLATFORM.',
  },
  'single-platform-base': {
    level: 'error',
    fix: 'Pin the digest of the multi-platform index (manifest list) instead, e.g. from `docker buildx imagetools inspect {{name}}`.',
  },
  'targetarch-undeclared': {
    level: 'error',
    fix: 'Add `ARG {{name}}` right after the FROM on line {{fromLine}}.',
  },
  'root-context-no-dockerignore': {
    level: 'warning',
    fix: 'Add a .dockerignore at the workspace root that excludes at least node_modules, dist, .git and .nx.',
  },
  'uncovered-build-output': {
    level: 'warning',
    fix:
      'Declare it in the outputs of the target that writes it (e.g. "outputs": ["{workspaceRoot}/{{path}}"] on that build target): ' +
      'docker-build then runs that target first and hashes what it wrote. Or copy sources that git tracks instead.',
  },
  'undepended-build-output': {
    level: 'warning',
    fix: 'Add "dependsOn": [{ "projects": ["{{project}}"], "target": "{{target}}" }] to {{buildTarget}} in project.json (Nx hashes the files it writes once it is a dependency).',
  },
} as const satisfies Record<string, { level: Level; fix: string }>;

export type RuleId = keyof typeof RULES;

export function fixText(hit: RuleHit): string {
  return RULES[hit.rule].fix.replace(/\{\{(\w+)\}\}/g, (placeholder, key: string) => String(hit.vars?.[key] ?? placeholder));
}
