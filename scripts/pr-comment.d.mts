// Types for scripts/pr-comment.mjs (plain JavaScript so the commenting job needs no build).
export declare const MARKER: string;
export declare const MAX_BODY: number;
export declare function renderComment(parts: {
  diff?: string;
  summary?: string;
  baseProblem?: string;
  headSha?: string;
}): string;
export declare function upsertStickyComment(options: {
  token: string;
  repository: string;
  issueNumber: number;
  body: string;
  apiUrl?: string;
  fetch?: typeof fetch;
}): Promise<{ action: 'created' | 'updated'; id: number; url: string }>;
