import { resolve } from 'node:path';
import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { compilePipelineForRun } from '@slipway/build-pipeline';
import { awsClientConfig, type LoadedProjectConfig } from '@slipway/core';
import { approvalRoutes, approvalRuleName, approvalRuleNamePrefix, type DoctorCheck } from '@slipway/deploy-pipeline';
import { RuntimeManager, isProcessAlive, readServerFile } from '@slipway/local';
import { definitionImages } from '../local-runtimes.js';

/**
 * `slipway doctor --local`: the local loop's setup. The runtimes the pipeline's images need are built; the
 * local server runs and answers; the project's approval rules are on its event bus, each with the deploy
 * workflow as its target.
 */
export async function runLocalDoctor(options: {
  readonly project: LoadedProjectConfig;
  readonly dataDir: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly runtimes?: RuntimeManager;
}): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const pass = (name: string, detail: string): void => void checks.push({ area: 'local', name, ok: true, detail });
  const fail = (name: string, detail: string, fix: string): void =>
    void checks.push({ area: 'local', name, ok: false, detail, fix });

  try {
    const compiled = await compilePipelineForRun({ cwd: options.cwd, env: options.env, config: options.project });
    const manager = options.runtimes ?? new RuntimeManager({ env: options.env });
    const statuses = await manager.list();
    for (const image of definitionImages(compiled.definition)) {
      const name = `runtime for ${image.split('/').pop()}`;
      let runtime: string;
      try {
        runtime = (await manager.definitionFor(image)).name;
      } catch (error) {
        fail(name, (error as Error).message, 'map the image in local/runtimes.json');
        continue;
      }
      const status = statuses.find((candidate) => candidate.definition.name === runtime);
      if (status?.ready) pass(name, `${runtime}, built`);
      else
        fail(
          name,
          `${runtime} is ${status?.stale ? 'out of date' : 'not built'}`,
          `npx slipway local runtimes build ${runtime} (or let the next pipeline run build it)`,
        );
    }
  } catch (error) {
    fail('pipeline', `does not compile: ${(error as Error).message}`, 'npx slipway pipeline compile shows where');
  }

  const dataDir = resolve(options.cwd, options.dataDir);
  const server = await readServerFile(dataDir);
  if (!server || !isProcessAlive(server.pid)) {
    fail('local server', `none runs for ${dataDir}`, 'npx slipway local up --detach');
    checks.push({
      area: 'local',
      name: 'approval rules',
      ok: false,
      skipped: true,
      detail: 'they live on the local server, and none runs',
    });
    return checks;
  }
  const events = new EventBridgeClient({
    ...awsClientConfig({ kind: 'local', region: server.region, endpoint: server.url, credentials: server.credentials }),
    maxAttempts: 1,
  });
  try {
    const prefix = approvalRuleNamePrefix(options.project);
    const { Rules = [] } = await events.send(new ListRulesCommand({ NamePrefix: prefix }));
    pass('local server', `${server.url} (pid ${server.pid}) answers`);
    for (const route of approvalRoutes(options.project.modelPackageGroupName)) {
      const rule = approvalRuleName(prefix, route.approvalStatus);
      const found = Rules.find((candidate) => candidate.Name === rule);
      if (!found) {
        fail(
          `approval rule ${rule}`,
          'is not on the local event bus',
          'restart the server: npx slipway local up --detach',
        );
        continue;
      }
      const { Targets = [] } = await events.send(new ListTargetsByRuleCommand({ Rule: rule }));
      if (found.State !== 'ENABLED' || Targets.length === 0)
        fail(
          `approval rule ${rule}`,
          `is ${found.State ?? 'in no state'} with ${Targets.length} target(s)`,
          'restart the server: npx slipway local up --detach',
        );
      else pass(`approval rule ${rule}`, `${found.State}, → ${Targets.map((target) => target.Id).join(', ')}`);
    }
  } catch (error) {
    fail(
      'local server',
      `${server.url} does not answer: ${(error as Error).message}`,
      'npx slipway local down && npx slipway local up --detach',
    );
  } finally {
    events.destroy();
  }
  return checks;
}
