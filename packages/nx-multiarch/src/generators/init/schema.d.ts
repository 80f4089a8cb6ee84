export interface InitGeneratorSchema {
  /** Registry host[:port] written to the plugin options, e.g. quay.io or 127.0.0.1:5000. */
  registry?: string;
  /** Skip formatting the changed files. */
  skipFormat?: boolean;
  /** Passed by `nx add`; this generator installs no packages, so it changes nothing. */
  keepExistingVersions?: boolean;
}
