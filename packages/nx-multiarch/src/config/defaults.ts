/**
 * Option defaults, apart from the zod schemas (schemas.ts re-exports them): the project graph needs these on every
 * computation, and loading zod costs tens of milliseconds that a computation served from the inference cache saves.
 */
export const DEFAULTS = {
  buildTargetName: 'docker-build',
  buildSingleTargetName: 'docker-build-single',
  pushTargetName: 'docker-push',
  manifestTargetName: 'docker-manifest',
  lintTargetName: 'docker-lint',
  archTagSuffix: '-{arch}',
  platforms: ['linux/amd64', 'linux/arm64'],
  engine: 'auto',
  imageName: '{projectName}',
  registry: '',
  multiArch: true,
  latest: false,
  allowSingleArchFallback: false,
} as const;
