import { createNodesV2 } from './plugin/create-nodes';
import { createDependencies } from './plugin/dependencies';

export { createNodesV2, createDependencies };
/** Nx 22+ reads the v2 signature from `createNodes`. */
export const createNodes = createNodesV2;
export type { PluginOptions } from './config/schemas';
