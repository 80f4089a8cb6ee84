export type ServiceLanguage = 'go' | 'node' | 'python' | 'static';

export interface ServiceGeneratorSchema {
  /** Service name: a DNS-1123 label (it becomes the project, image and Kubernetes name). */
  name: string;
  /** go (default), node, python or static. */
  language?: ServiceLanguage | string;
  /** Parent folder, relative to the workspace root; the service goes to <directory>/<name>. Default: services. */
  directory?: string;
  /** Port the service listens on (1-65535). Default: 8080. */
  port?: number | string;
  /** Platforms for this service's docker-build, overriding the plugin's; a list or a comma list of os/arch[/variant]. */
  platforms?: string | string[];
  /** Extra project tags, a list or a comma list; type:service and lang:<language> are always set. */
  tags?: string | string[];
  /** Skip formatting the generated files. */
  skipFormat?: boolean;
}
