import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ModelServerError, startModelServer, type ModelServer } from '../serving/model-server.js';
import type { ObjectStore } from '../storage/object-store.js';
import { parseS3Uri } from '../storage/object-key.js';
import type { TransformJobSpec } from './job-runner.js';
import { SubprocessJobRunner, type JobBodyResult, type JobContext } from './job-lifecycle.js';
import type { JobLog } from './job-log.js';
import { downloadS3Data, joinKey, regularFiles } from './s3-transfer.js';
import { filterInput, formatOf, processOutput, type RecordProcessing } from './transform/data-processing.js';
import { OrderedWindow } from './transform/ordered-window.js';
import { planTransformJob, type TransformPlan } from './transform/transform-plan.js';

const INPUT_DIR = '/opt/ml/transform/input';
const OUTPUT_DIR = '/opt/ml/transform/output';

/** One request to the model server: the records it carries (after the input filter) and the originals. */
interface Batch {
  readonly body: Buffer;
  /** The original records (for JoinSource), one per record in the body; empty for SplitType None. */
  readonly originals: readonly string[];
  readonly records: number;
  readonly first: number;
}

/** A finished request: the model's answer and the batch it answered. */
interface Answer {
  readonly batch: Batch;
  readonly body: Buffer;
}

class TransformFailure extends Error {}

/**
 * Runs a batch transform job as SageMaker does: the model's container (its image's local runtime, the same
 * model server the endpoints use) serves `/invocations`; every input object (S3Prefix or a manifest, optionally
 * gzipped) is split (Line or None), its records sent one per request (SingleRecord) or packed up to
 * MaxPayloadInMB (MultiRecord), MaxConcurrentTransforms at a time, retried per ModelClientConfig; the answers,
 * through DataProcessing's filters and join, are assembled (Line or None) into `<S3OutputPath>/<object>.out`.
 */
export class TransformRunner extends SubprocessJobRunner<'Transform'> {
  readonly kind = 'Transform' as const;

  protected async execute(
    spec: TransformJobSpec,
    store: ObjectStore,
    { log, sandbox, signal }: JobContext,
  ): Promise<JobBodyResult> {
    const plan = planTransformJob(spec.request, spec.jobName);
    if (plan.instanceCount > 1) {
      log.note('InstanceCount is more than 1: the local runner runs one model server (one instance)');
    }
    const inputDir = sandbox.hostPath(INPUT_DIR);
    const count = await downloadS3Data(
      store,
      plan.input.s3Uri,
      plan.input.dataType,
      inputDir,
      spec.jobName,
      'TransformInput.DataSource.S3DataSource',
    );
    log.note(`input: ${count} object(s) from ${plan.input.s3Uri}`);
    if (signal.aborted) return { status: 'Stopped', processMs: 0 };

    const started = Date.now();
    const serverLog = join(dirname(spec.logFile), 'model-server.log');
    let server: ModelServer | undefined;
    try {
      server = await this.startServer(spec, plan, store, sandbox.root, serverLog, signal, log);
    } catch (error) {
      await copyServerLog(serverLog, log);
      if (signal.aborted) return { status: 'Stopped', processMs: 0 };
      const detail = error instanceof ModelServerError ? lastLine(error.stderr) : undefined;
      return {
        status: 'Failed',
        failureReason:
          `ClientError: the model ${spec.model.modelName} did not start: ` +
          `${detail ?? (error instanceof Error ? error.message : String(error))}`,
        processMs: Date.now() - started,
      };
    }
    const agent = new Agent({ keepAlive: true, maxSockets: plan.concurrency });
    const processing: RecordProcessing = {
      ...(plan.inputFilter ? { inputFilter: plan.inputFilter } : {}),
      ...(plan.outputFilter ? { outputFilter: plan.outputFilter } : {}),
      joinInput: plan.joinInput,
      inputFormat: formatOf(plan.input.contentType),
      outputFormat: formatOf(plan.output.accept),
    };
    const totals = { records: 0, requests: 0, objects: 0 };
    try {
      const output = parseS3Uri(plan.output.s3Path, 'TransformOutput.S3OutputPath');
      for (const relative of await regularFiles(inputDir)) {
        if (signal.aborted) break;
        const local = join(sandbox.hostPath(OUTPUT_DIR), ...`${relative}.out`.split('/'));
        await mkdir(dirname(local), { recursive: true });
        const counts = await this.transformObject(join(inputDir, ...relative.split('/')), relative, local, {
          plan,
          processing,
          server,
          agent,
          signal,
        });
        if (signal.aborted) break;
        const key = joinKey(output, `${relative}.out`);
        await store.putFile(output.bucket, key, local, {
          ...(plan.output.accept ? { contentType: plan.output.accept } : {}),
        });
        await rm(local, { force: true });
        totals.records += counts.records;
        totals.requests += counts.requests;
        totals.objects += 1;
        log.note(
          `${relative}: ${counts.records} record(s) in ${counts.requests} request(s) → s3://${output.bucket}/${key}`,
        );
      }
    } catch (error) {
      await server.stop();
      agent.destroy();
      await copyServerLog(serverLog, log);
      if (signal.aborted) return { status: 'Stopped', processMs: Date.now() - started };
      return {
        status: 'Failed',
        failureReason: error instanceof TransformFailure ? error.message : `InternalServerError: ${String(error)}`,
        processMs: Date.now() - started,
        transformCounts: totals,
      };
    }
    await server.stop();
    agent.destroy();
    await copyServerLog(serverLog, log);
    if (signal.aborted) return { status: 'Stopped', processMs: Date.now() - started, transformCounts: totals };
    const seconds = (Date.now() - started) / 1000;
    log.note(
      `transformed ${totals.records} record(s) of ${totals.objects} object(s) in ${totals.requests} request(s), ` +
        `${seconds.toFixed(1)} s (${Math.round(totals.records / Math.max(seconds, 0.001))} records/s)`,
    );
    return { status: 'Completed', processMs: Date.now() - started, transformCounts: totals };
  }

  private startServer(
    spec: TransformJobSpec,
    plan: TransformPlan,
    store: ObjectStore,
    workDir: string,
    logFile: string,
    signal: AbortSignal,
    log: JobLog,
  ): Promise<ModelServer> {
    const environment: Record<string, string> = {
      ...spec.model.environment,
      ...plan.environment,
      // What SageMaker tells a batch transform container.
      SAGEMAKER_BATCH: 'true',
      SAGEMAKER_MAX_PAYLOAD_IN_MB: String(plan.maxPayloadInMB === 0 ? 100 : plan.maxPayloadInMB),
      SAGEMAKER_MAX_CONCURRENT_TRANSFORMS: String(plan.concurrency),
    };
    log.note(
      `model ${spec.model.modelName}: image ${spec.model.image}` +
        (spec.model.modelDataUrl ? `, model data ${spec.model.modelDataUrl}` : '') +
        `; its server's output goes to ${logFile} (copied here when the job ends)`,
    );
    return (async () => {
      const serverDir = join(workDir, 'model-server');
      let modelTarGz: string | undefined;
      let modelDataDir: string | undefined;
      if (spec.model.modelDataUrl) {
        const location = parseS3Uri(spec.model.modelDataUrl, `model ${spec.model.modelName} ModelDataUrl`);
        modelTarGz = join(workDir, 'model.tar.gz');
        await mkdir(workDir, { recursive: true });
        if (!(await store.getToFile(location.bucket, location.key, modelTarGz))) {
          throw new Error(`there is no object at ${spec.model.modelDataUrl} (the model's ModelDataUrl)`);
        }
      } else {
        modelDataDir = join(serverDir, 'empty-model');
        await mkdir(modelDataDir, { recursive: true });
      }
      return startModelServer({
        ...(modelTarGz !== undefined ? { modelTarGz } : { modelDataDir: modelDataDir! }),
        image: spec.model.image,
        environment,
        runtimes: this.options.runtimes,
        store,
        workDir: serverDir,
        logFile,
        stopGraceMs: this.options.stopGraceMs,
        hostEnv: this.options.hostEnv,
        signal,
      });
    })();
  }

  /** Sends one object's records to the model and writes the assembled answers to `outputFile`. */
  private async transformObject(
    inputFile: string,
    relative: string,
    outputFile: string,
    job: {
      plan: TransformPlan;
      processing: RecordProcessing;
      server: ModelServer;
      agent: Agent;
      signal: AbortSignal;
    },
  ): Promise<{ records: number; requests: number }> {
    const { plan, processing } = job;
    const out = createWriteStream(outputFile);
    let records = 0;
    let requests = 0;
    const window = new OrderedWindow<Answer>();
    const send = async (batch: Batch) => {
      if (window.size >= plan.concurrency) await this.write(await window.next(), out, relative, processing, plan);
      window.push(this.invoke(batch, relative, job));
      records += batch.records;
      requests += 1;
    };
    try {
      for await (const batch of batches(openInput(inputFile, plan), relative, plan, processing)) {
        if (job.signal.aborted) break;
        await send(batch);
      }
      while (window.size > 0) await this.write(await window.next(), out, relative, processing, plan);
    } finally {
      // A failed request leaves the others in the window running; let them settle before the file closes.
      await window.settle();
      await new Promise<void>((resolve) => out.end(resolve));
    }
    return { records, requests };
  }

  private async write(
    answer: Answer,
    out: WriteStream,
    relative: string,
    processing: RecordProcessing,
    plan: TransformPlan,
  ): Promise<void> {
    const { batch, body } = answer;
    const line = plan.output.assembleWith === 'Line';
    let text: Buffer;
    if (batch.originals.length > 0 && (processing.joinInput || processing.outputFilter)) {
      const answers = body
        .toString('utf8')
        .replace(/\r?\n$/, '')
        .split(/\r?\n/);
      if (answers.length !== batch.originals.length) {
        throw new TransformFailure(
          `ClientError: ${relative}: the model answered ${answers.length} line(s) for a request of ` +
            `${batch.originals.length} record(s) (records ${batch.first}-${batch.first + batch.records - 1}); ` +
            'DataProcessing (JoinSource, OutputFilter) needs one answer line per record',
        );
      }
      const processed = answers.map((output, index) =>
        processOutput(batch.originals[index]!, output, processing, `${relative} record ${batch.first + index}`),
      );
      text = Buffer.from(processed.map((record) => (line ? `${record}\n` : record)).join(''));
    } else if (line && body.length > 0 && body[body.length - 1] !== 0x0a) {
      text = Buffer.concat([body, Buffer.from('\n')]);
    } else {
      text = body;
    }
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', resolve));
  }

  private async invoke(
    batch: Batch,
    relative: string,
    job: { plan: TransformPlan; server: ModelServer; agent: Agent; signal: AbortSignal },
  ): Promise<Answer> {
    const { plan } = job;
    const headers: Record<string, string> = { 'content-length': String(batch.body.length) };
    if (plan.input.contentType) headers['content-type'] = plan.input.contentType;
    if (plan.output.accept) headers['accept'] = plan.output.accept;
    let lastProblem = '';
    for (let attempt = 0; attempt <= plan.invocationRetries; attempt += 1) {
      if (job.signal.aborted) throw new TransformFailure('the job was stopped');
      const result = await post(
        `${job.server.url}/invocations`,
        batch.body,
        headers,
        job.agent,
        plan.invocationTimeoutMs,
      );
      if ('status' in result && result.status < 300) return { batch, body: result.body };
      lastProblem =
        'status' in result
          ? `the model answered ${result.status}: ${result.body.toString('utf8').slice(0, 400)}`
          : result.error;
      // A 4xx is the request's own fault: sending it again changes nothing.
      if ('status' in result && result.status < 500) break;
    }
    throw new TransformFailure(
      `ClientError: ${relative}, records ${batch.first}-${batch.first + batch.records - 1}: ${lastProblem}`,
    );
  }
}

/** An input object's bytes, gunzipped when CompressionType is Gzip. */
function openInput(file: string, plan: TransformPlan): Readable {
  const stream = createReadStream(file);
  return plan.input.compression === 'Gzip' ? stream.pipe(createGunzip()) : stream;
}

/**
 * The requests for one object: SplitType None sends the whole object at once; Line splits it into lines
 * (empty lines skipped), each its own request (SingleRecord) or packed into requests up to MaxPayloadInMB
 * (MultiRecord). A record, or an unsplit object, larger than the limit fails the job, naming it.
 */
async function* batches(
  input: Readable,
  relative: string,
  plan: TransformPlan,
  processing: RecordProcessing,
): AsyncGenerator<Batch> {
  const limit = plan.maxPayloadBytes;
  const tooLarge = (what: string, size: number): never => {
    throw new TransformFailure(
      `ClientError: ${relative}: ${what} is ${size} bytes, more than MaxPayloadInMB (${plan.maxPayloadInMB} MB) allows; ` +
        (plan.input.split === 'None'
          ? 'split the input (SplitType Line) or raise MaxPayloadInMB'
          : 'raise MaxPayloadInMB'),
    );
  };
  if (plan.input.split === 'None') {
    const chunks: Buffer[] = [];
    for await (const chunk of input) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (limit !== undefined && body.length > limit) tooLarge('the object', body.length);
    yield { body, originals: [], records: 1, first: 1 };
    return;
  }
  const keepOriginals = processing.joinInput || processing.outputFilter !== undefined;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let originals: string[] = [];
  let batchFirst = 1;
  let index = 0;
  const flush = (): Batch => {
    const batch = { body: Buffer.concat(pending), originals, records: pending.length, first: batchFirst };
    pending = [];
    pendingBytes = 0;
    originals = [];
    return batch;
  };
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.length === 0) continue;
    index += 1;
    const record = Buffer.from(`${filterInput(line, processing, `${relative} record ${index}`)}\n`);
    if (limit !== undefined && record.length > limit) tooLarge(`record ${index}`, record.length);
    if (plan.batchStrategy === 'SingleRecord') {
      yield { body: record, originals: keepOriginals ? [line] : [], records: 1, first: index };
      continue;
    }
    if (limit !== undefined && pendingBytes + record.length > limit && pending.length > 0) yield flush();
    if (pending.length === 0) batchFirst = index;
    pending.push(record);
    pendingBytes += record.length;
    if (keepOriginals) originals.push(line);
  }
  if (pending.length > 0) yield flush();
}

type PostResult = { status: number; body: Buffer } | { error: string };

/** One POST to the model server over the job's keep-alive agent; a network error or timeout is a result too. */
function post(
  url: string,
  body: Buffer,
  headers: Record<string, string>,
  agent: Agent,
  timeoutMs: number,
): Promise<PostResult> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { method: 'POST', headers, agent, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 500, body: Buffer.concat(chunks) }));
      res.on('error', (error) => resolve({ error: `the model server's answer broke off (${error.message})` }));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({
        error: `the model server did not answer in ModelClientConfig.InvocationsTimeoutInSeconds (${timeoutMs / 1000} s)`,
      });
    });
    req.on('error', (error) => resolve({ error: `the request to the model server failed (${error.message})` }));
    req.end(body);
  });
}

/** The model server's own output, appended to the job log once it stopped (what CloudWatch would show). */
async function copyServerLog(file: string, log: JobLog): Promise<void> {
  const text = await readFile(file, 'utf8').catch(() => '');
  if (text.length === 0) return;
  log.note('model server output:');
  log.write(text.endsWith('\n') ? text : `${text}\n`);
}

function lastLine(text: string): string | undefined {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .pop();
}
