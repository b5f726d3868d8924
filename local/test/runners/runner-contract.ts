import { describe, expect, it, beforeEach, afterEach } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { JobRunner, JobSpec } from '../../src/runners/job-runner.js';
import { JobWorld, isRunning } from './job-fixtures.js';

/** How one runner makes the jobs the shared contract needs. */
export interface RunnerContractSubject {
  readonly name: string;
  makeRunner(): JobRunner;
  /** Completes, printing "hello from the job". */
  completing(world: JobWorld): Promise<JobSpec>;
  /** Crashes after writing a lot to stderr, ending with "boom: the last words of crash.py". */
  crashing(world: JobWorld): Promise<JobSpec>;
  /** Sleeps after writing its pid; returns the host path of the pid file. */
  slow(
    world: JobWorld,
    options: { signal?: AbortSignal; maxRuntimeSeconds?: number },
  ): Promise<{ spec: JobSpec; pidFile: string }>;
  /** Uses an image with no local runtime. */
  unsupportedImage(world: JobWorld): Promise<JobSpec>;
  /** Reads an S3 location with nothing in it. */
  missingInput(world: JobWorld): Promise<JobSpec>;
  /** A job of the other kind. */
  otherKind(world: JobWorld): JobSpec;
}

async function waitForFile(file: string, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (text) return text;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${file} did not appear`);
}

/**
 * The contract every JobRunner keeps (style.md item 9): failures are results, never exceptions; stops end
 * the whole process and report Stopped; timeouts fail with the limit named; logs are appended; times and
 * process time are reported; FailureReason fits SageMaker's 1024 characters and keeps the end of stderr.
 */
export function describeRunnerContract(subject: RunnerContractSubject): void {
  describe(`${subject.name} keeps the JobRunner contract`, () => {
    let world: JobWorld;
    let runner: JobRunner;
    beforeEach(async () => {
      world = await JobWorld.create();
      runner = subject.makeRunner();
    });
    afterEach(async () => {
      await world.dispose();
    });

    it('completes a job, appending its output to the log and timing the user process', async () => {
      const spec = await subject.completing(world);
      await mkdir(dirname(spec.logFile), { recursive: true });
      await writeFile(spec.logFile, 'an earlier attempt\n');
      const before = Date.now();
      const result = await runner.run(spec, world.store);
      const wall = Date.now() - before;
      expect(result.status).toBe('Completed');
      expect(result.failureReason).toBeUndefined();
      expect(result.startTime.getTime()).toBeLessThanOrEqual(result.endTime.getTime());
      expect(result.processMs).toBeGreaterThan(0);
      expect(result.processMs).toBeLessThanOrEqual(wall);
      const log = await readFile(spec.logFile, 'utf8');
      expect(log.startsWith('an earlier attempt\n')).toBe(true);
      expect(log).toContain('hello from the job');
      expect(log).toMatch(/\[slipway\] job .* Completed/);
    });

    it('reports a crash as a Failed result whose reason ends with the last of stderr, within 1024 characters', async () => {
      const result = await runner.run(await subject.crashing(world), world.store);
      expect(result.status).toBe('Failed');
      expect(result.failureReason).toMatch(/^AlgorithmError: /);
      expect(result.failureReason).toContain('RuntimeError: boom: the last words of crash.py');
      expect(result.failureReason!.length).toBeLessThanOrEqual(1024);
      expect(result.failureReason).not.toContain('noise line 0 ');
    });

    it('stops a running job: the process group ends and the result is Stopped', async () => {
      const controller = new AbortController();
      const { spec, pidFile } = await subject.slow(world, { signal: controller.signal });
      const running = runner.run(spec, world.store);
      const pid = Number(await waitForFile(pidFile));
      expect(isRunning(pid)).toBe(true);
      controller.abort();
      const result = await running;
      expect(result.status).toBe('Stopped');
      expect(result.failureReason).toBeUndefined();
      expect(isRunning(pid)).toBe(false);
      expect(result.endTime.getTime() - result.startTime.getTime()).toBeLessThan(10_000);
    });

    it('reports Stopped without starting anything when stopped before it starts', async () => {
      const controller = new AbortController();
      controller.abort();
      const { spec, pidFile } = await subject.slow(world, { signal: controller.signal });
      const result = await runner.run(spec, world.store);
      expect(result.status).toBe('Stopped');
      expect(result.processMs).toBe(0);
      expect(existsSync(pidFile)).toBe(false);
    });

    it('fails a job that runs past StoppingCondition.MaxRuntimeInSeconds, naming the limit', async () => {
      // 3 s: usually long enough for Python to start and write its pid on a loaded 2-core machine.
      const { spec, pidFile } = await subject.slow(world, { maxRuntimeSeconds: 3 });
      const result = await runner.run(spec, world.store);
      expect(result.status).toBe('Failed');
      expect(result.failureReason).toMatch(/^MaxRuntimeExceeded: .*MaxRuntimeInSeconds \(3 s\)/);
      // Even 3 s may not be enough for the interpreter to reach the line that writes the pid file. A job the
      // runner really ended writes nothing afterwards; one that escaped would write it and still be running,
      // so wait a moment and check whichever is the case.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      if (existsSync(pidFile)) expect(isRunning(Number(await readFile(pidFile, 'utf8')))).toBe(false);
    });

    it('fails (does not throw) for an image with no local runtime, saying which image and how to add one', async () => {
      const spec = await subject.unsupportedImage(world);
      const result = await runner.run(spec, world.store);
      expect(result.status).toBe('Failed');
      expect(result.failureReason).toMatch(
        /^ClientError: No local runtime for image "[^"]*tensorflow-training:2\.13-cpu-py310"/,
      );
      expect(result.failureReason).toContain('runtimes.json');
    });

    it('fails with a ClientError naming the field when an input has no data', async () => {
      const result = await runner.run(await subject.missingInput(world), world.store);
      expect(result.status).toBe('Failed');
      expect(result.failureReason).toMatch(/^ClientError: .*found no objects at "s3:\/\/slipway-test\/nothing-here\/"/);
    });

    it('fails (does not throw) when given a job of another kind', async () => {
      const result = await runner.run(subject.otherKind(world), world.store);
      expect(result.status).toBe('Failed');
      expect(result.failureReason).toMatch(/runner was given a/);
    });
  });
}
