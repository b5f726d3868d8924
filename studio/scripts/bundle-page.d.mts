export interface BundleResult {
  readonly outdir: string;
  readonly sizes: Record<string, { readonly bytes: number; readonly gzipped: number }>;
}

/** Builds the console's page into `outdir` (default studio/dist/page). */
export declare function bundlePage(options?: { outdir?: string }): Promise<BundleResult>;
