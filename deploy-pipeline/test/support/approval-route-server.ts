import type { RepositoryDispatchBody } from '../../src/index.js';
import { approvalRoutes } from '../../src/index.js';
import { startSeedServer, type SeedServer } from './seed-registry.js';

/**
 * A local server with the real seed model whose event bus carries the approval route's rules (the CDK rules'
 * pattern and transformer) with an in-process target: `deliver` receives every repository_dispatch body the
 * route sends, as the deploy workflow would.
 */
export function startApprovalRouteServer(
  group: string,
  deliver: (body: RepositoryDispatchBody) => Promise<unknown>,
): Promise<SeedServer> {
  return startSeedServer({
    group,
    rules: approvalRoutes(group).map((route) => ({
      name: `test-${route.approvalStatus.toLowerCase()}`,
      eventPattern: route.pattern,
      targets: [
        {
          id: 'deploy-workflow',
          type: 'handler' as const,
          inputTransformer: route.transformer,
          timeoutMs: 300_000,
          handler: async (_event: unknown, input: string) => {
            await deliver(JSON.parse(input) as RepositoryDispatchBody);
          },
        },
      ],
    })),
  });
}
