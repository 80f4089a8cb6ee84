export interface StatusGeneratorSchema {
  /** Where the page goes, workspace-relative. Default: docs/MULTI_ARCH_STATUS.md. */
  output?: string;
  /** After writing, fail listing every service (not deprecated) that is not multi-arch ready or whose last verify failed. */
  check?: boolean;
}
