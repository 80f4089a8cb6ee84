/** A project as the executors see it. */
export interface ProjectInfo {
  name: string;
  /** project root, relative to the workspace root */
  root: string;
  workspaceRoot: string;
  tags: string[];
  /** version from the project's package.json, if it has one */
  version?: string;
}
