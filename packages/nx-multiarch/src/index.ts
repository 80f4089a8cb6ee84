import { createNodesV2 } from './plugin/create-nodes';
import { createDependencies } from './plugin/dependencies';
import { preTasksExecution } from './hooks/dry-run-hook';

export { createNodesV2, createDependencies, preTasksExecution };
/** Nx 22+ reads the v2 signature from `createNodes`. */
export const createNodes = createNodesV2;
export type { PluginOptions } from './config/schemas';
