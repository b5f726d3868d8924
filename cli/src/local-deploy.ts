import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError, type Backend, type LoadedProjectConfig } from '@slipway/core';
import {
  DeployRunStore,
  approvalRoutes,
  approvalRuleName,
  approvalRuleNamePrefix,
  runDeployWorkflow,
  type DeployRun,
  type PromotionMode,
} from '@slipway/deploy-pipeline';
import type { CommandTarget, HandlerTarget, RuleDefinition } from '@slipway/local';
import { endpointCredentials, runningServer } from './local-connection.js';

/**
 * The local stand-in for GitHub in the approval route: the local event bus matches the project's approval
 * rules (the CDK rules' own pattern and dispatch transformer) and hands the repository_dispatch body to the
 * deploy workflow, run here with the same functions deploy.yml's actions call.
 */

const BIN = fileURLToPath(new URL('../bin/slipway.js', import.meta.url));

/** The approval rules' target id: the same for the command and the in-process handler, so a delivery left
 * pending for one is delivered to the other after a restart. */
export const DEPLOY_TARGET_ID = 'deploy-workflow';

/** A target without the id and transformer, which every approval rule sets the same way. */
export type DispatchTarget =
  Omit<CommandTarget, 'id' | 'inputTransformer'> | Omit<HandlerTarget, 'id' | 'inputTransformer'>;

/** A deploy run can take a while (two endpoints, tests); an attempt is given up after this long. */
const DEPLOY_TARGET_TIMEOUT_MS = 30 * 60_000;

/** Where the local deploy workflow keeps its runs: `<dataDir>/deploy/`. */
export function deployRunStore(dataDir: string): DeployRunStore {
  return new DeployRunStore(join(dataDir, 'deploy'));
}

/** The approval route's rules for the local bus, each sending its dispatch body to `target`. */
export function approvalRouteRules(project: LoadedProjectConfig, target: DispatchTarget): RuleDefinition[] {
  const prefix = approvalRuleNamePrefix(project);
  return approvalRoutes(project.modelPackageGroupName).map((route) => ({
    name: approvalRuleName(prefix, route.approvalStatus),
    description: `${route.approvalStatus} versions of ${project.modelPackageGroupName} → ${route.eventType} → the deploy workflow`,
    eventPattern: route.pattern,
    targets: [{ ...target, id: DEPLOY_TARGET_ID, inputTransformer: route.transformer }],
  }));
}

/**
 * The target a detached server runs: `slipway deploy dispatch` with the body on stdin. A command (not a
 * function in the server's process) is saved with the rule, so delivery is at least once through the outbox:
 * an attempt that fails or dies is retried, also after a restart.
 */
export function dispatchCommandTarget(options: {
  readonly dataDir: string;
  readonly promotion: PromotionMode;
  readonly cwd: string;
}): DispatchTarget {
  return {
    type: 'command',
    command: [
      process.execPath,
      BIN,
      'deploy',
      'dispatch',
      '--data-dir',
      options.dataDir,
      ...(options.promotion === 'auto' ? ['--auto-promote'] : []),
    ],
    cwd: options.cwd,
    timeoutMs: DEPLOY_TARGET_TIMEOUT_MS,
  };
}

/** The target of an in-process server (the demo's): the same workflow, called directly. */
export function dispatchHandlerTarget(options: {
  readonly project: LoadedProjectConfig;
  readonly dataDir: string;
  readonly promotion: PromotionMode;
}): DispatchTarget {
  return {
    type: 'handler',
    handler: (_event, input) =>
      dispatchToLocalWorkflow(JSON.parse(input) as unknown, { ...options, endpointUrl: undefined }),
    timeoutMs: DEPLOY_TARGET_TIMEOUT_MS,
  };
}

/** Runs the deploy workflow for one dispatch body against the local server of `dataDir` (or `endpointUrl`). */
export async function dispatchToLocalWorkflow(
  body: unknown,
  options: {
    readonly project: LoadedProjectConfig;
    readonly dataDir: string;
    readonly promotion: PromotionMode;
    readonly endpointUrl: string | undefined;
    /** Where AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for `endpointUrl` come from. @default process.env */
    readonly env?: NodeJS.ProcessEnv;
    readonly log?: (line: string) => void;
  },
): Promise<DeployRun> {
  const server = options.endpointUrl === undefined ? await runningServer(options.dataDir) : undefined;
  const credentials =
    options.endpointUrl !== undefined
      ? await endpointCredentials(options.endpointUrl, options.dataDir, options.env ?? process.env)
      : server?.credentials;
  const endpoint = options.endpointUrl ?? server?.url;
  const backend: Backend | undefined =
    endpoint === undefined
      ? undefined
      : { kind: 'local', region: options.project.region, endpoint, ...(credentials ? { credentials } : {}) };
  if (!backend) {
    throw new ValidationError({
      where: options.dataDir,
      field: '',
      problem: 'has no local server running to deploy to',
      fix: 'start one with `npx slipway local up`, or pass --endpoint-url',
    });
  }
  return runDeployWorkflow(body, {
    project: options.project,
    backend,
    runs: deployRunStore(options.dataDir),
    promotion: options.promotion,
    ...(options.log ? { log: options.log } : {}),
  });
}
