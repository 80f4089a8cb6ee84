export interface InitGeneratorSchema {
  /** Registry host[:port] written to the plugin options, e.g. ghcr.io or 127.0.0.1:5000. */
  registry?: string;
  /** Skip formatting the changed files (with Prettier through @nx/devkit, when the workspace has both). */
  skipFormat?: boolean;
  /** Passed by `nx add` (Nx 20-24); this generator installs no packages, so it changes nothing. */
  keepExistingVersions?: boolean;
  /** Passed by `nx add` to Nx's own plugins only; accepted so that passing it is never an error. It changes nothing. */
  updatePackageScripts?: boolean;
}
