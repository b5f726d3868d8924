import type { Command } from 'commander';
import { cancelStaleWaitingRuns, rollbackStage, stageTestOptions, testEndpoint } from '@slipway/deploy-pipeline';
import type { CliContext } from '../context.js';
import { withDeployOptions, withDeployTarget, type DeployFlags } from './deploy.js';

/**
 * `slipway deploy rollback --stage S [--to VERSION]`: one stage goes back to the version it served before
 * (the deployment journal) or to the named one, through the same gates as a deploy (Approved now, model data
 * checked), then its endpoint tests. A version that is not Approved is refused, naming the reason.
 */
export function registerDeployRollback(deploy: Command, context: CliContext): void {
  withDeployOptions(
    deploy
      .command('rollback')
      .description(
        'redeploy the version a stage served before (or --to VERSION) through the same gates, then test the endpoint',
      )
      .requiredOption('--stage <stage>', 'the stage to roll back')
      .option('--to <version>', 'the version to go back to: a version number or a model package ARN'),
  ).action((options: DeployFlags & { stage: string; to?: string }) =>
    withDeployTarget(context, options, async ({ runs, ...target }) => {
      const result = await rollbackStage({
        stage: options.stage,
        ...(options.to !== undefined ? { to: options.to } : {}),
        deployedBy: `slipway deploy rollback by ${context.env.USER ?? 'a person'}`,
        ...target,
      });
      if (runs && result.changed) {
        for (const run of await cancelStaleWaitingRuns({ ...target, runs }, result)) {
          context.output.line(
            `Deploy run #${run.number} no longer waits for promotion: ${run.jobs.at(-1)?.message}`,
            'dim',
          );
        }
      }
      const tested = await testEndpoint(stageTestOptions({ stage: options.stage, ...target }));
      context.output.result({ ...result, test: { ...tested, mistakes: tested.mistakes.length } }, (value) => {
        context.output.line(value.message, value.changed ? 'good' : 'plain');
        context.output.line(
          `  tests: accuracy ${(tested.accuracy * 100).toFixed(1)}%, p95 ${tested.latency.p95Ms} ms: ${tested.passed ? 'passed' : 'FAILED'}`,
          tested.passed ? 'plain' : 'bad',
        );
        for (const failure of tested.failures) context.output.line(`  ${failure}`, 'bad');
      });
      if (!tested.passed) process.exitCode = 1;
    }),
  );
}
