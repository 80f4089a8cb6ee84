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
