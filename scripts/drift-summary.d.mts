// Types for scripts/drift-summary.mjs (plain JavaScript so the build job's summary step needs no build).
export declare function renderDriftSummary(payload: unknown): string;
