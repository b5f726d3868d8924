import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './support/moto-server.js';

/**
 * The clients of AWS APIs (not the local server, which implements them) use the SDK's helpers where the SDK
 * has one: `paginate*` instead of NextToken loops, `waitUntil*` instead of polling loops, a service's client
 * instead of a signed `fetch`.
 */
const CLIENT_SOURCES = ['cli/src', 'build-pipeline/src', 'deploy-pipeline/src', 'actions'];

function typescriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return ['node_modules', 'dist', 'test', '.tsbuild'].includes(entry.name) ? [] : typescriptFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const sources = CLIENT_SOURCES.flatMap((dir) => typescriptFiles(join(REPO_ROOT, dir))).map((path) => ({
  file: relative(REPO_ROOT, path),
  text: readFileSync(path, 'utf8'),
}));

function offending(pattern: RegExp): string[] {
  return sources.filter(({ text }) => pattern.test(text)).map(({ file }) => file);
}

describe('AWS SDK conventions in the clients of AWS APIs', () => {
  it('reads every source file it checks', () => {
    expect(sources.map(({ file }) => file)).toEqual(
      expect.arrayContaining([
        'cli/src/commands/registry.ts',
        'cli/src/commands/endpoints.ts',
        'build-pipeline/src/run/execution-steps.ts',
        'deploy-pipeline/src/deploy/deploy-stage.ts',
      ]),
    );
  });

  it('pages with the SDK paginators, never a hand-written NextToken loop', () => {
    expect(offending(/NextToken\s*[:=]/)).toEqual([]);
  });

  it('calls EventBridge through its client, not a signed fetch of AWSEvents.* operations', () => {
    expect(offending(/['"`]AWSEvents\./)).toEqual([]);
  });

  it("waits for an endpoint's deletion with the SDK's waiter", () => {
    expect(offending(/waitUntilEndpointDeleted/)).toEqual(['deploy-pipeline/src/deploy/wait-for-endpoint.ts']);
  });
});
