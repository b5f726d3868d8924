import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ValidationError } from '@slipway/core';
import { RuntimeManager, type RuntimeStatus } from '@slipway/local';
import type { CliContext } from '../context.js';

/** What `local runtimes list --json` gives for each runtime. */
export interface RuntimeListing {
  readonly name: string;
  readonly description: string;
  readonly source: string;
  readonly images: readonly string[];
  /** `built`, `not built` (built on first use), `stale` (built from other pins: rebuilt on next use), or for an interpreter runtime `ready`/`missing`. */
  readonly state: 'built' | 'not built' | 'stale' | 'ready' | 'missing';
  readonly venv?: string;
  readonly packages: readonly string[];
  readonly base?: string;
  readonly serving: string;
  readonly notes: readonly string[];
  readonly sharedWith: readonly string[];
  readonly builtAt?: string;
  readonly buildSeconds?: number;
}

function listing(status: RuntimeStatus): RuntimeListing {
  const { definition } = status;
  const environment = definition.environment;
  const state =
    environment.kind === 'python'
      ? status.ready
        ? 'ready'
        : 'missing'
      : status.ready
        ? 'built'
        : status.stale
          ? 'stale'
          : 'not built';
  return {
    name: definition.name,
    description: definition.description,
    source: definition.source,
    images: definition.images,
    state,
    ...(status.dir ? { venv: status.dir } : {}),
    packages: environment.kind === 'venv' ? environment.requirements : [`(the interpreter ${environment.python})`],
    ...(environment.kind === 'venv' && environment.base ? { base: environment.base.venv } : {}),
    serving: definition.serving,
    notes: definition.notes ?? [],
    sharedWith: status.sharedWith,
    ...(status.stamp?.builtAt ? { builtAt: status.stamp.builtAt } : {}),
    ...(status.stamp?.buildSeconds !== undefined ? { buildSeconds: status.stamp.buildSeconds } : {}),
  };
}

/**
 * `slipway local runtimes list|build|remove`: the local Python runtimes that stand in for container images,
 * in the per-user cache every project and clone on this machine shares.
 */
export function registerLocalRuntimes(local: Command, context: CliContext): void {
  const runtimes = local
    .command('runtimes')
    .description('the local Python runtimes that stand in for container images (a per-user cache, built on first use)');
  const manager = () => new RuntimeManager({ env: context.env });

  runtimes
    .command('list')
    .description('every runtime: its images, packages, where it differs from the image, and whether it is built')
    .action(async () => {
      const runtimeManager = manager();
      const entries = (await runtimeManager.list()).map(listing);
      context.output.result({ cacheDir: runtimeManager.cacheDir, runtimes: entries }, () => {
        context.output.line(`Runtime cache: ${runtimeManager.cacheDir}`, 'dim');
        for (const entry of entries) {
          const tone = entry.state === 'built' || entry.state === 'ready' ? 'good' : 'dim';
          context.output.line();
          context.output.line(
            `${context.output.paint(entry.name, 'bold')}  ${context.output.paint(entry.state, tone)}`,
          );
          context.output.line(`  ${entry.description}`);
          context.output.line(`  images:   ${entry.images.join(', ')}`, 'dim');
          context.output.line(
            `  packages: ${entry.packages.join(' ')}${entry.base ? ` (layered on ${entry.base})` : ''}`,
            'dim',
          );
          if (entry.sharedWith.length)
            context.output.line(`  shares its venv with ${entry.sharedWith.join(', ')}`, 'dim');
          for (const note of entry.notes) context.output.line(`  note: ${note}`, 'warn');
        }
      });
    });

  runtimes
    .command('build')
    .argument('<name...>', 'runtime names (see `slipway local runtimes list`)')
    .description('build runtimes now instead of on first use, showing pip’s progress')
    .option(
      '--requirements <file>',
      'also install this requirements.txt on each runtime, as a training job installs its source dir’s (the same ' +
        'cached layer), and give that interpreter',
    )
    .action(async (names: string[], options: { requirements?: string }) => {
      const runtimeManager = manager();
      const requirements = options.requirements ? resolve(context.cwd, options.requirements) : undefined;
      if (requirements && !existsSync(requirements)) {
        throw new ValidationError({
          where: 'slipway local runtimes build',
          field: '--requirements',
          problem: `${requirements} does not exist`,
          fix: 'name a requirements.txt file',
        });
      }
      const built: { name: string; python: string; seconds: number; built: boolean }[] = [];
      for (const name of names) {
        const started = Date.now();
        let building = false;
        const say = (message: string) => {
          building = true;
          context.output.line(`${name}: ${message}`, 'dim');
        };
        const python = requirements
          ? await runtimeManager.buildWithRequirements(name, requirements, say, say)
          : await runtimeManager.build(name, say, say);
        const seconds = Math.round((Date.now() - started) / 100) / 10;
        built.push({ name, python, seconds, built: building });
      }
      const result = { cacheDir: runtimeManager.cacheDir, runtimes: built, ...(requirements ? { requirements } : {}) };
      const what = (name: string) => (requirements ? `${name} with ${options.requirements}` : name);
      context.output.result(result, () => {
        for (const entry of built) {
          context.output.line(
            entry.built
              ? `Built ${what(entry.name)} in ${entry.seconds} s (${entry.python})`
              : `${what(entry.name)} was already built (${entry.python})`,
            'good',
          );
        }
      });
    });

  runtimes
    .command('remove')
    .argument('<name...>', 'runtime names (see `slipway local runtimes list`)')
    .description(
      'remove runtimes from the cache (and the job installs layered on them); they are rebuilt when next needed',
    )
    .action(async (names: string[]) => {
      const runtimeManager = manager();
      const removed: { name: string; folders: string[] }[] = [];
      for (const name of names) removed.push({ name, folders: await runtimeManager.remove(name) });
      context.output.result({ cacheDir: runtimeManager.cacheDir, removed }, () => {
        for (const entry of removed) {
          context.output.line(
            entry.folders.length
              ? `Removed ${entry.name}: ${entry.folders.join(', ')}`
              : `${entry.name} was not built; nothing to remove`,
            entry.folders.length ? 'good' : 'dim',
          );
        }
      });
    });
}
