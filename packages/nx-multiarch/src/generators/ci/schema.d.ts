export interface CiGeneratorSchema {
  /** CI provider; only github for now. */
  provider?: 'github' | string;
  /** One job per arch on native runners (docker-push -c <arch>) plus a job that stitches the lists (docker-manifest). */
  splitByArch?: boolean;
  /** Branch whose pushes publish images, and nx-set-shas' main branch. Default: nx.json defaultBase, else main. */
  mainBranch?: string;
  /** Registry host[:port] to log in to. Default: the nx-multiarch plugin's registry in nx.json. */
  registry?: string;
  /** Node.js version for actions/setup-node. Default: 20. */
  nodeVersion?: string;
}
