export type ServiceLanguage = 'go' | 'node' | 'python' | 'static';

export interface ServiceGeneratorSchema {
  /**
   * The project folder (the first argument), relative to the workspace root, or to the folder nx runs in when that is
   * inside the workspace and the directory does not already start with it. A bare `my-api` is the folder my-api.
   */
  directory?: string;
  /** Project, image and Kubernetes name: a DNS-1123 label. Default: the directory's last segment. */
  name?: string;
  /** go (default), node, python or static. `--template` is an alias on the command line. */
  language?: ServiceLanguage | string;
  /** Port the service listens on (1-65535). Default: 8080. */
  port?: number | string;
  /** Platforms for this service's docker-build, overriding the plugin's; a list or a comma list of os/arch[/variant]. */
  platforms?: string | string[];
  /** Extra project tags, a list or a comma list; type:service and lang:<language> are always set. */
  tags?: string | string[];
  /** Skip formatting the changed files (with Prettier through @nx/devkit, when the workspace has both). */
  skipFormat?: boolean;
}
