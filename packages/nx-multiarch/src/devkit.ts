/**
 * The Nx API the plugin uses, taken from `nx` itself rather than @nx/devkit. @nx/devkit re-exports exactly this module
 * (Nx 17 and later), but a workspace made by `nx init` has no @nx/devkit, and `nx add` installs with npm's
 * legacy-peer-deps, so a peer dependency on it is never installed. `nx` is in every Nx workspace, at the user's version.
 */
export {
  addProjectConfiguration,
  createNodesFromFiles,
  createProjectGraphAsync,
  DependencyType,
  detectPackageManager,
  getOutputsForTargetAndConfiguration,
  getProjects,
  joinPathFragments,
  logger,
  readJson,
  readNxJson,
  readProjectsConfigurationFromProjectGraph,
  updateNxJson,
  workspaceRoot,
  writeJson,
} from 'nx/src/devkit-exports';
export type {
  CreateDependencies,
  CreateDependenciesContext,
  CreateNodesContextV2,
  CreateNodesResult,
  CreateNodesV2,
  ExecutorContext,
  ExpandedPluginConfiguration,
  GeneratorCallback,
  NxJsonConfiguration,
  PackageManager,
  PluginConfiguration,
  PreTasksExecution,
  ProjectConfiguration,
  ProjectGraph,
  ProjectGraphProjectNode,
  RawProjectGraphDependency,
  TargetConfiguration,
  Tree,
} from 'nx/src/devkit-exports';
/**
 * Where Nx keeps a workspace's own data (the project graph cache; NX_WORKSPACE_DATA_DIRECTORY moves it), and where the
 * inference cache lives. Not in devkit-exports in Nx 20-24 (23 and 24 export only the constant, from devkit-internals);
 * this module has it, with this name, in all of them.
 */
export { workspaceDataDirectoryForWorkspace } from 'nx/src/utils/cache-directory';
