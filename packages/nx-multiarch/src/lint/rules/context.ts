import type { Rule } from '../meta';

/** root-context-no-dockerignore: without one, every build sends node_modules, dist, .git and .nx to the engine. */
export const rootContextNoDockerignore: Rule = ({ input }) =>
  input.contextIsWorkspaceRoot && !input.hasDockerignore
    ? [
        {
          rule: 'root-context-no-dockerignore',
          line: 1,
          message: 'the build context is the workspace root and it has no .dockerignore, so every build uploads the whole workspace.',
        },
      ]
    : [];
