import { randomUUID } from 'node:crypto';
import { appendFile, link, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withFileLock } from '@slipway/core';
import type { RepositoryDispatchBody } from '../events/repository-dispatch.js';
import { jobNames, type DeployRun, type PromotionMode } from './deploy-run.js';

const RUN_FILE = /^(\d{6,})\.json$/;

/**
 * The deploy workflow's runs, kept as one JSON file each under `<dir>/runs/` so that they outlive the
 * process that ran them: a run waiting for promotion survives a restart, and `slipway deploy status` reads
 * what any process did. Files are replaced atomically (write, then rename), so a reader never sees half a run.
 */
export class DeployRunStore {
  private readonly runsDir: string;

  constructor(readonly dir: string) {
    this.runsDir = join(dir, 'runs');
  }

  /** Records a new run, `queued`, numbered after the newest one (safe across processes). */
  async create(
    dispatch: RepositoryDispatchBody,
    promotion: PromotionMode,
    stages: readonly string[],
  ): Promise<DeployRun> {
    await mkdir(this.runsDir, { recursive: true });
    const now = new Date().toISOString();
    for (let number = (await this.newestNumber()) + 1; ; number += 1) {
      const run: DeployRun = {
        number,
        dispatch,
        promotion,
        createdAt: now,
        updatedAt: now,
        status: 'queued',
        jobs: jobNames(stages).map((name) => ({ name, status: 'queued' })),
      };
      const temporary = join(this.runsDir, `.${randomUUID()}.tmp`);
      await writeFile(temporary, serialize(run));
      try {
        // link() fails if the number is taken: two dispatches arriving at once get different numbers.
        await link(temporary, this.path(number));
        return run;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        await rm(temporary, { force: true });
      }
    }
  }

  async get(number: number): Promise<DeployRun | undefined> {
    try {
      return JSON.parse(await readFile(this.path(number), 'utf8')) as DeployRun;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** Every run, oldest first. */
  async list(): Promise<DeployRun[]> {
    const runs: DeployRun[] = [];
    for (const number of await this.numbers()) {
      const run = await this.get(number);
      if (run) runs.push(run);
    }
    return runs;
  }

  async save(run: DeployRun): Promise<void> {
    run.updatedAt = new Date().toISOString();
    const temporary = join(this.runsDir, `.${randomUUID()}.tmp`);
    await writeFile(temporary, serialize(run));
    await rename(temporary, this.path(run.number));
  }

  /** The run's log: every line the workflow wrote while running it. */
  logFile(number: number): string {
    return join(this.runsDir, `${pad(number)}.log`);
  }

  async appendLog(number: number, line: string): Promise<void> {
    await appendFile(this.logFile(number), `${new Date().toISOString()} ${line}\n`);
  }

  /**
   * Runs `task` as the only workflow run in progress (deploy.yml's concurrency group): one at a time across
   * every process using this store; a holder that died releases it.
   */
  withLock<T>(timeoutMs: number, task: () => Promise<T>): Promise<T> {
    return withFileLock(join(this.dir, 'workflow.lock'), timeoutMs, task, 'deploy');
  }

  private path(number: number): string {
    return join(this.runsDir, `${pad(number)}.json`);
  }

  private async numbers(): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(this.runsDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .map((name) => RUN_FILE.exec(name)?.[1])
      .filter((digits): digits is string => digits !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  private async newestNumber(): Promise<number> {
    return (await this.numbers()).at(-1) ?? 0;
  }
}

function pad(number: number): string {
  return String(number).padStart(6, '0');
}

function serialize(run: DeployRun): string {
  return `${JSON.stringify(run, null, 2)}\n`;
}
