import type { JobKind, JobRunner } from './runners/job-runner.js';
import type { Logger } from './server/logger.js';

/**
 * The runners module (`./runners/index.js`, built alongside this server) exports
 * `createDefaultRunners(options)`. It is loaded by name at run time so that the server also starts where
 * the runners are absent; then Processing and Training steps fail with a message saying no runner is set.
 */
export async function loadDefaultRunners(
  options: { dataDir: string; region: string },
  log: Logger,
): Promise<Partial<Record<JobKind, JobRunner>>> {
  const specifier = './runners/index.js';
  try {
    const module = (await import(specifier)) as {
      createDefaultRunners?: (options: { dataDir: string; region: string }) => Record<JobKind, JobRunner>;
    };
    if (typeof module.createDefaultRunners === 'function') return module.createDefaultRunners(options);
    log.warn('the runners module exports no createDefaultRunners(); Processing and Training steps will fail');
  } catch (error) {
    log.warn(
      `no job runners available (${error instanceof Error ? error.message : String(error)}); Processing and Training steps will fail`,
    );
  }
  return {};
}
