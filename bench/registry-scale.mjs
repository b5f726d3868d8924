#!/usr/bin/env node
// Registry and execution queries at scale, through the server's port: the figure is the round trip of a plain
// keep-alive HTTP client that signs each request with the server's secret (what the server answers in, its
// signature check included); each line also gives the same call with the AWS SDK (what the CLI and the deploy
// workflow send: it adds the SDK's own signing and parsing) and in-process (the query alone). Targets at
// 100,000 versions: newest-1, newest-Approved-1 and a 100-item page each ≤ 2 ms (median of many calls); paging through all of them ≤ 5 s. The same for the executions of one pipeline
// (100,000) and for ListPipelineExecutionSteps of one 2,000-step execution.
//
// node bench/registry-scale.mjs [--sizes 10,1000,5000,100000] [--steps 2000] [--calls 50]
// Rows are seeded straight into the store in one transaction (registering 100,000 versions through the API
// would measure the writes, not the queries); every query goes through the server.
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import {
  CreateModelPackageGroupCommand,
  ListModelPackagesCommand,
  ListPipelineExecutionStepsCommand,
  ListPipelineExecutionsCommand,
} from '@aws-sdk/client-sagemaker';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { awsClientConfig, signRequest } from '@slipway/core';
import { createPipeline, definition, median, startBenchServer } from './local-lib/harness.mjs';
import { figure } from './lib/figures.mjs';

const argument = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : fallback;
};
const SIZES = argument('sizes', '10,1000,5000,100000').split(',').map(Number);
const STEPS = Number(argument('steps', 2000));
const CALLS = Number(argument('calls', 50));
const BIG = Math.max(...SIZES);
const APPROVED_EVERY = 100; // one version in 100 is Approved: newest-Approved-1 must skip the others cheaply

const bench = await startBenchServer({});
const { store, operations } = bench.server;
let sm = bench.sagemaker;

/**
 * Seeding blocks this process for seconds; a kept-alive connection may be closed by the server meanwhile, so
 * each size is queried with a fresh client.
 */
function freshClient() {
  agent.destroy();
  agent = new Agent({ keepAlive: true, maxSockets: 1 });
  if (sm !== bench.sagemaker) sm.destroy();
  sm = new SageMakerClient(
    awsClientConfig({
      kind: 'local',
      region: 'us-east-1',
      endpoint: bench.server.url,
      credentials: bench.server.credentials,
    }),
  );
}

let agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** One AWS JSON 1.1 call, signed, over a kept-alive connection, its answer parsed: the server's round trip. */
function call(target, input) {
  const url = `${bench.server.url}/`;
  const body = JSON.stringify(input);
  const headers = signRequest({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body,
    credentials: bench.server.credentials,
    region: bench.server.region,
    service: 'sagemaker',
  });
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', agent, headers });
    request.once('error', reject);
    request.once('response', (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.once('error', reject);
      response.once('end', () => {
        const answer = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (response.statusCode !== 200) reject(new Error(`${target}: ${response.statusCode} ${answer.message}`));
        else resolve(answer);
      });
    });
    request.end(body);
  });
}

/**
 * Median times of CALLS calls, three ways: over HTTP with a plain keep-alive client (the figure: what the
 * server answers in), with the AWS SDK (adds the SDK's own request signing and response parsing), and to the
 * operation's handler in-process (the query and the shapes alone).
 */
async function medianOf(makeCommand) {
  const command = makeCommand();
  const target = `SageMaker.${command.constructor.name.replace(/Command$/, '')}`;
  await call(target, command.input); // warm the statement and the connections
  await sm.send(makeCommand());
  const wire = [];
  const sdk = [];
  const inProcess = [];
  for (let i = 0; i < CALLS; i += 1) {
    let started = performance.now();
    await call(target, command.input);
    wire.push(performance.now() - started);
    started = performance.now();
    await sm.send(makeCommand());
    sdk.push(performance.now() - started);
    started = performance.now();
    JSON.stringify(await operations.invoke(target, { ...command.input }, { actor: 'bench', requestId: 'bench' }));
    inProcess.push(performance.now() - started);
  }
  return { wire: median(wire), sdk: median(sdk), server: median(inProcess) };
}

/** Pages through a listing of `size` items with the plain client, 100 a page, and reports the time taken. */
async function pageAll(target, body, listMember, { name, size, atScale }) {
  const started = performance.now();
  let token;
  let count = 0;
  do {
    const answer = await call(target, { ...body, MaxResults: 100, ...(token ? { NextToken: token } : {}) });
    count += answer[listMember].length;
    token = answer.NextToken;
  } while (token);
  const seconds = (performance.now() - started) / 1000;
  if (count !== size) throw new Error(`${name}: paging found ${count} of ${size}`);
  figure({ name, value: seconds, unit: 's', ...(atScale ? { target: '≤ 5 s', met: seconds <= 5 } : {}) });
}

const details = (version) => ({
  InferenceSpecification: {
    Containers: [
      {
        Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
        ModelDataUrl: `s3://bench/models/pipelines-x-Train-${version}/output/model.tar.gz`,
        Environment: { SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code' },
      },
    ],
    SupportedContentTypes: ['application/json', 'text/csv'],
    SupportedResponseMIMETypes: ['application/json'],
  },
  ModelMetrics: {
    ModelQuality: {
      Statistics: { ContentType: 'application/json', S3Uri: `s3://bench/evaluation/${version}/evaluation.json` },
    },
  },
  CustomerMetadataProperties: { SourceRevision: 'a'.repeat(40), accuracy: '0.8557' },
  MetadataProperties: { GeneratedBy: `arn:aws:sagemaker:us-east-1:000000000000:pipeline/p/execution/${version}` },
});

/** Grows the group `models` to `size` versions, created a millisecond apart. */
let versions = 0;
const epoch = Date.now() - 10 * 24 * 3600 * 1000;
function growRegistry(size) {
  const group = store.modelPackages.group('models');
  store.transaction(() => {
    for (let version = versions + 1; version <= size; version += 1) {
      const at = new Date(epoch + version);
      store.modelPackages.insertPackage({
        arn: `arn:aws:sagemaker:us-east-1:000000000000:model-package/${group.name}/${version}`,
        groupName: group.name,
        version,
        approvalStatus: version % APPROVED_EVERY === 0 ? 'Approved' : 'PendingManualApproval',
        details: details(version),
        createdAt: at,
        createdBy: 'bench',
        modifiedAt: at,
        modifiedBy: 'bench',
      });
    }
  });
  versions = size;
}

let executions = 0;
function growExecutions(size) {
  const pipeline = store.pipelines.get('scale');
  const body = JSON.stringify(definition([{ Name: 'Stop', Type: 'Fail', Arguments: { ErrorMessage: 'x' } }]));
  store.transaction(() => {
    for (let n = executions + 1; n <= size; n += 1) {
      const id = `e${String(n).padStart(11, '0')}`;
      const at = new Date(epoch + n);
      store.executions.insert({
        arn: `${pipeline.arn}/execution/${id}`,
        id,
        pipelineName: pipeline.name,
        pipelineArn: pipeline.arn,
        version: 1,
        definition: body,
        status: 'Succeeded',
        parameters: [],
        clientToken: id,
        createdAt: at,
        createdBy: 'bench',
        modifiedAt: at,
        endedAt: at,
      });
    }
  });
  executions = size;
  return `${pipeline.arn}/execution/e${String(size).padStart(11, '0')}`;
}

function addSteps(executionArn, count) {
  store.transaction(() => {
    for (let seq = 1; seq <= count; seq += 1) {
      store.executions.saveStep({
        executionArn,
        name: `Step${seq}`,
        seq,
        type: 'Processing',
        status: 'Succeeded',
        startedAt: new Date(epoch + seq),
        endedAt: new Date(epoch + seq + 1),
        attemptCount: 1,
        metadata: { ProcessingJob: { Arn: `arn:aws:sagemaker:us-east-1:000000000000:processing-job/job-${seq}` } },
        properties: { ProcessingJobName: `job-${seq}`, ProcessingJobStatus: 'Completed', Padding: 'p'.repeat(500) },
      });
    }
  });
}

const ms = ({ wire, sdk, server }, atScale = true) => ({
  value: wire,
  unit: 'ms',
  ...(atScale ? { target: '≤ 2 ms', met: wire <= 2 } : {}),
  detail: `with the AWS SDK ${sdk.toFixed(2)} ms, in-process ${server.toFixed(2)} ms`,
});
try {
  await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'models' }));
  await createPipeline(sm, 'scale', definition([{ Name: 'Stop', Type: 'Fail', Arguments: { ErrorMessage: 'x' } }]));
  for (const size of SIZES) {
    growRegistry(size);
    freshClient();
    const atScale = size === BIG;
    process.stdout.write(
      `ListModelPackages, one group of ${size} versions (${Math.floor(size / APPROVED_EVERY)} Approved):\n`,
    );
    const list = (extra) => () => new ListModelPackagesCommand({ ModelPackageGroupName: 'models', ...extra });
    const newest = await medianOf(list({ SortBy: 'CreationTime', SortOrder: 'Descending', MaxResults: 1 }));
    const newestApproved = await medianOf(
      list({ SortBy: 'CreationTime', SortOrder: 'Descending', MaxResults: 1, ModelApprovalStatus: 'Approved' }),
    );
    const page = await medianOf(list({ MaxResults: 100 }));
    const report = (name, value) => figure({ name, ...ms(value, atScale) });
    report(`newest-1 at ${size} versions (median of ${CALLS})`, newest);
    report(`newest-Approved-1 at ${size} versions`, newestApproved);
    report(`a 100-item page at ${size} versions`, page);
    await pageAll('SageMaker.ListModelPackages', { ModelPackageGroupName: 'models' }, 'ModelPackageSummaryList', {
      name: `paging through all ${size} versions, 100 a page`,
      size,
      atScale,
    });
  }

  for (const size of SIZES) {
    const last = growExecutions(size);
    freshClient();
    const atScale = size === BIG;
    process.stdout.write(`ListPipelineExecutions, one pipeline with ${size} executions:\n`);
    const list = (extra) => () => new ListPipelineExecutionsCommand({ PipelineName: 'scale', ...extra });
    const newest = await medianOf(list({ SortOrder: 'Descending', MaxResults: 1 }));
    const page = await medianOf(list({ MaxResults: 100 }));
    const report = (name, value) => figure({ name, ...ms(value, atScale) });
    report(`newest-1 execution at ${size}`, newest);
    report(`a 100-item page of executions at ${size}`, page);
    await pageAll('SageMaker.ListPipelineExecutions', { PipelineName: 'scale' }, 'PipelineExecutionSummaries', {
      name: `paging through all ${size} executions`,
      size,
      atScale,
    });
    if (atScale) {
      addSteps(last, STEPS);
      freshClient();
      process.stdout.write(`ListPipelineExecutionSteps, one execution of ${STEPS} steps:\n`);
      const steps = (extra) => () => new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: last, ...extra });
      figure({ name: `newest step of ${STEPS}`, ...ms(await medianOf(steps({ MaxResults: 1 }))) });
      figure({ name: `a 100-item page of ${STEPS} steps`, ...ms(await medianOf(steps({ MaxResults: 100 }))) });
      await pageAll('SageMaker.ListPipelineExecutionSteps', { PipelineExecutionArn: last }, 'PipelineExecutionSteps', {
        name: `paging through all ${STEPS} steps`,
        size: STEPS,
        atScale: true,
      });
    }
  }
} finally {
  agent.destroy();
  if (sm !== bench.sagemaker) sm.destroy();
  await bench.close();
}
