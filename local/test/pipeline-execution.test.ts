import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DescribeModelPackageCommand,
  DescribePipelineDefinitionForExecutionCommand,
  DescribePipelineExecutionCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  ListModelPackagesCommand,
  ListPipelineExecutionStepsCommand,
  ListPipelineParametersForExecutionCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { EventBridgeEvent } from '@slipway/core';
import {
  ROLE,
  definition,
  nodeProcessingStep,
  runPipeline,
  startTestServer,
  stepsByName,
  waitForExecution,
  type TestServer,
} from './support/harness.js';
import { SubprocessRunner } from './support/subprocess-runner.js';

const node = process.execPath;
const outputUri = (step: string, output: string) => ({
  'Std:Join': { On: '/', Values: ['s3:/', 'bkt', 'sentiment', { Get: 'Execution.PipelineExecutionId' }, step, output] },
});
const evaluationUri = { Get: "Steps.Evaluate.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri" };
const accuracy = {
  'Std:JsonGet': {
    PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.EvaluationReport' },
    Path: 'multiclass_classification_metrics.accuracy.value',
  },
};

/** The seed pipeline's shape: preprocess → train → evaluate → accuracy check → register + model, else fail. */
function seedLikeDefinition(): object {
  const preprocess = nodeProcessingStep(
    'Preprocess',
    "const fs=require('fs');const rows=fs.readFileSync('/opt/ml/processing/input/data/reviews.csv','utf8').trim().split('\\n');" +
      "fs.writeFileSync('/opt/ml/processing/train/train.csv',rows.slice(0,3).join('\\n'));" +
      "fs.writeFileSync('/opt/ml/processing/test/test.csv',rows.slice(3).join('\\n'));",
    {
      inputs: [{ name: 'data', uri: { Get: 'Parameters.InputData' }, path: '/opt/ml/processing/input/data' }],
      outputs: [
        { name: 'train', uri: outputUri('Preprocess', 'train'), path: '/opt/ml/processing/train' },
        { name: 'test', uri: outputUri('Preprocess', 'test'), path: '/opt/ml/processing/test' },
      ],
      extra: { CacheConfig: { Enabled: true, ExpireAfter: 'PT1H' } },
    },
  );
  const train = {
    Name: 'Train',
    Type: 'Training',
    CacheConfig: { Enabled: true, ExpireAfter: '30d' },
    Arguments: {
      AlgorithmSpecification: {
        TrainingImage: 'test/node',
        TrainingInputMode: 'File',
        ContainerEntrypoint: [
          node,
          '-e',
          "const fs=require('fs');const rows=fs.readFileSync('/opt/ml/input/data/train/train.csv','utf8').split('\\n');" +
            "const hp=JSON.parse(fs.readFileSync('/opt/ml/input/config/hyperparameters.json','utf8'));" +
            "fs.writeFileSync(process.env.SM_MODEL_DIR+'/model.json',JSON.stringify({rows:rows.length,epochs:hp.epochs}));" +
            "console.log('epoch 1 accuracy=0.80');console.log('epoch 2 accuracy=0.91');",
        ],
        MetricDefinitions: [{ Name: 'val:acc', Regex: 'accuracy=([0-9.]+)' }],
      },
      HyperParameters: { epochs: { 'Std:Join': { On: '', Values: [{ Get: 'Parameters.Epochs' }] } } },
      InputDataConfig: [
        {
          ChannelName: 'train',
          DataSource: {
            S3DataSource: {
              S3DataType: 'S3Prefix',
              S3Uri: { Get: "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri" },
              S3DataDistributionType: 'FullyReplicated',
            },
          },
        },
      ],
      OutputDataConfig: { S3OutputPath: 's3://bkt/sentiment/models' },
      ResourceConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 },
      RoleArn: ROLE,
      StoppingCondition: { MaxRuntimeInSeconds: 86400 },
    },
  };
  const evaluate = nodeProcessingStep(
    'Evaluate',
    "const fs=require('fs');fs.statSync('/opt/ml/processing/model/model.tar.gz');" +
      "fs.writeFileSync('/opt/ml/processing/evaluation/evaluation.json',JSON.stringify({multiclass_classification_metrics:{accuracy:{value:0.91,standard_deviation:'NaN'}}}));",
    {
      inputs: [
        {
          name: 'model',
          uri: { Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' },
          path: '/opt/ml/processing/model',
        },
      ],
      outputs: [
        { name: 'evaluation', uri: outputUri('Evaluate', 'evaluation'), path: '/opt/ml/processing/evaluation' },
      ],
      extra: {
        PropertyFiles: [
          { PropertyFileName: 'EvaluationReport', OutputName: 'evaluation', FilePath: 'evaluation.json' },
        ],
      },
    },
  );
  const register = {
    Name: 'Register',
    Type: 'RegisterModel',
    Arguments: {
      ModelPackageGroupName: 'sentiment-models',
      ModelApprovalStatus: { Get: 'Parameters.ModelApprovalStatus' },
      InferenceSpecification: {
        Containers: [{ Image: 'test/serve', ModelDataUrl: { Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' } }],
        SupportedContentTypes: ['application/json'],
        SupportedResponseMIMETypes: ['application/json'],
      },
      ModelMetrics: {
        ModelQuality: {
          Statistics: {
            ContentType: 'application/json',
            S3Uri: { 'Std:Join': { On: '/', Values: [evaluationUri, 'evaluation.json'] } },
          },
        },
        Bias: {},
        Explainability: {},
      },
      CustomerMetadataProperties: { accuracy: { 'Std:Join': { On: '', Values: [accuracy] } } },
      SkipModelValidation: 'None',
    },
  };
  const model = {
    Name: 'CreateModel',
    Type: 'Model',
    Arguments: {
      ExecutionRoleArn: ROLE,
      PrimaryContainer: {
        Image: 'test/serve',
        Environment: {},
        ModelDataUrl: { Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' },
      },
    },
  };
  const fail = {
    Name: 'AccuracyTooLow',
    Type: 'Fail',
    Arguments: {
      ErrorMessage: {
        'Std:Join': { On: ' ', Values: ['Accuracy', accuracy, 'is below', { Get: 'Parameters.AccuracyThreshold' }] },
      },
    },
  };
  const check = {
    Name: 'CheckAccuracy',
    Type: 'Condition',
    Arguments: {
      Conditions: [
        { Type: 'GreaterThanOrEqualTo', LeftValue: accuracy, RightValue: { Get: 'Parameters.AccuracyThreshold' } },
      ],
      IfSteps: [register, model],
      ElseSteps: [fail],
    },
  };
  return definition(
    [preprocess, train, evaluate, check],
    [
      { Name: 'InputData', Type: 'String', DefaultValue: 's3://bkt/data/reviews' },
      { Name: 'AccuracyThreshold', Type: 'Float', DefaultValue: 0.8 },
      { Name: 'Epochs', Type: 'Integer', DefaultValue: 5 },
      { Name: 'ModelApprovalStatus', Type: 'String', DefaultValue: 'PendingManualApproval' },
    ],
  );
}

describe('a seed-like pipeline through the SageMaker API', () => {
  let t: TestServer;
  const processing = new SubprocessRunner('Processing');
  const training = new SubprocessRunner('Training');
  const events: EventBridgeEvent[] = [];
  let first: string;
  let second: string;

  beforeAll(async () => {
    t = await startTestServer({ runners: { Processing: processing, Training: training } });
    t.server.events.putRule({
      name: 'everything-from-sagemaker',
      eventPattern: { source: ['aws.sagemaker'] },
      targets: [{ id: 'collect', type: 'handler', handler: (event) => void events.push(event) }],
    });
    await t.s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
    await t.s3.send(
      new PutObjectCommand({
        Bucket: 'bkt',
        Key: 'data/reviews/reviews.csv',
        Body: 'great,positive\nbad,negative\nok,neutral\nfine,neutral\nawful,negative',
      }),
    );
    first = await runPipeline(t.sagemaker, 'sentiment', seedLikeDefinition(), { Epochs: '7' });
    await waitForExecution(t.sagemaker, first);
    const rerun = await t.sagemaker.send(
      new StartPipelineExecutionCommand({
        PipelineName: 'sentiment',
        PipelineParameters: [
          { Name: 'AccuracyThreshold', Value: '0.95' },
          { Name: 'Epochs', Value: '7' },
        ],
      }),
    );
    second = rerun.PipelineExecutionArn!;
    await waitForExecution(t.sagemaker, second);
    await t.server.events.drain();
  }, 60_000);

  afterAll(async () => {
    await t.close();
  });

  it('succeeds and reports every step with its type metadata; the untaken branch is absent', async () => {
    const described = await t.sagemaker.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: first }));
    expect(described.PipelineExecutionStatus).toBe('Succeeded');
    expect(described.PipelineExperimentConfig).toEqual({
      ExperimentName: 'sentiment',
      TrialName: first.split('/').pop(),
    });
    const steps = await stepsByName(t.sagemaker, first);
    expect(Object.keys(steps).sort()).toEqual([
      'CheckAccuracy',
      'CreateModel',
      'Evaluate',
      'Preprocess',
      'Register',
      'Train',
    ]);
    expect(Object.values(steps).every((step) => step.StepStatus === 'Succeeded' && step.AttemptCount === 1)).toBe(true);
    expect(steps['Preprocess']!.Metadata?.ProcessingJob?.Arn).toMatch(
      /:processing-job\/pipelines-[a-z0-9]{12}-preprocess-[a-z0-9]{10}$/,
    );
    expect(steps['Train']!.Metadata?.TrainingJob?.Arn).toMatch(/:training-job\/pipelines-/);
    expect(steps['CheckAccuracy']!.Metadata).toEqual({ Condition: { Outcome: 'True' } });
    expect(steps['Register']!.Metadata?.RegisterModel?.Arn).toBe(
      'arn:aws:sagemaker:us-east-1:000000000000:model-package/sentiment-models/1',
    );
    expect(steps['CreateModel']!.Metadata?.Model?.Arn).toMatch(/:model\/pipelines-/);
    expect(steps['Preprocess']!.CacheHitResult).toBeUndefined();
  });

  it('describes the jobs it ran with resolved URIs, model artifacts and metrics', async () => {
    const steps = await stepsByName(t.sagemaker, first);
    const trainingName = steps['Train']!.Metadata!.TrainingJob!.Arn!.split('/').pop()!;
    const jobName = training.runs[0]!.jobName;
    expect(jobName.toLowerCase()).toBe(trainingName);
    expect(jobName).toMatch(new RegExp(`^pipelines-${first.split('/').pop()}-Train-[A-Za-z0-9]{10}$`));
    const job = await t.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName }));
    expect(job.TrainingJobStatus).toBe('Completed');
    expect(job.ModelArtifacts?.S3ModelArtifacts).toBe(`s3://bkt/sentiment/models/${jobName}/output/model.tar.gz`);
    expect(job.FinalMetricDataList?.map((m) => [m.MetricName, m.Value])).toEqual([['val:acc', 0.91]]);
    expect(job.HyperParameters).toEqual({ epochs: '7' });
    const head = await t.s3.send(
      new HeadObjectCommand({ Bucket: 'bkt', Key: `sentiment/models/${jobName}/output/model.tar.gz` }),
    );
    expect(head.ContentLength).toBeGreaterThan(0);

    const preprocessName = processing.runs[0]!.jobName;
    const prep = await t.sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: preprocessName }));
    expect(prep.ProcessingJobStatus).toBe('Completed');
    const id = first.split('/').pop();
    expect(prep.ProcessingOutputConfig?.Outputs?.map((o) => o.S3Output?.S3Uri)).toEqual([
      `s3://bkt/sentiment/${id}/Preprocess/train`,
      `s3://bkt/sentiment/${id}/Preprocess/test`,
    ]);
    expect(prep.ProcessingInputs?.[0]?.S3Input?.S3Uri).toBe('s3://bkt/data/reviews');
  });

  it('registers a PendingManualApproval version with lineage, metrics and resolved metadata', async () => {
    const described = await t.sagemaker.send(
      new DescribeModelPackageCommand({
        ModelPackageName: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/sentiment-models/1',
      }),
    );
    const trainingJob = training.runs[0]!.jobName;
    expect(described.ModelApprovalStatus).toBe('PendingManualApproval');
    expect(described.ModelPackageVersion).toBe(1);
    expect(described.MetadataProperties?.GeneratedBy).toBe(first);
    expect(described.InferenceSpecification?.Containers?.[0]?.ModelDataUrl).toBe(
      `s3://bkt/sentiment/models/${trainingJob}/output/model.tar.gz`,
    );
    expect(described.ModelMetrics?.ModelQuality?.Statistics?.S3Uri).toBe(
      `s3://bkt/sentiment/${first.split('/').pop()}/Evaluate/evaluation/evaluation.json`,
    );
    expect(described.CustomerMetadataProperties).toEqual({ accuracy: '0.91' });
    const listed = await t.sagemaker.send(new ListModelPackagesCommand({ ModelPackageGroupName: 'sentiment-models' }));
    expect(listed.ModelPackageSummaryList).toHaveLength(1);
  });

  it('reuses cached steps on a re-run and fails through the Fail step when the condition is false', async () => {
    const described = await t.sagemaker.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: second }));
    expect(described.PipelineExecutionStatus).toBe('Failed');
    expect(described.FailureReason).toBe('Accuracy 0.91 is below 0.95');
    const steps = await stepsByName(t.sagemaker, second);
    expect(Object.keys(steps).sort()).toEqual(['AccuracyTooLow', 'CheckAccuracy', 'Evaluate', 'Preprocess', 'Train']);
    expect(steps['Preprocess']!.CacheHitResult).toEqual({ SourcePipelineExecutionArn: first });
    expect(steps['Train']!.CacheHitResult).toEqual({ SourcePipelineExecutionArn: first });
    expect(steps['Train']!.Metadata?.TrainingJob?.Arn).toBe(
      (await stepsByName(t.sagemaker, first))['Train']!.Metadata?.TrainingJob?.Arn,
    );
    expect(steps['Evaluate']!.CacheHitResult).toBeUndefined();
    expect(steps['CheckAccuracy']!.Metadata).toEqual({ Condition: { Outcome: 'False' } });
    expect(steps['AccuracyTooLow']).toMatchObject({
      StepStatus: 'Failed',
      FailureReason: 'Accuracy 0.91 is below 0.95',
      Metadata: { Fail: { ErrorMessage: 'Accuracy 0.91 is below 0.95' } },
    });
    expect(training.runs).toHaveLength(1);
    expect(processing.runs).toHaveLength(3);
  });

  it('reports the parameters and the definition each execution used', async () => {
    const parameters = await t.sagemaker.send(
      new ListPipelineParametersForExecutionCommand({ PipelineExecutionArn: second }),
    );
    expect(parameters.PipelineParameters).toEqual([
      { Name: 'InputData', Value: 's3://bkt/data/reviews' },
      { Name: 'AccuracyThreshold', Value: '0.95' },
      { Name: 'Epochs', Value: '7' },
      { Name: 'ModelApprovalStatus', Value: 'PendingManualApproval' },
    ]);
    const stored = await t.sagemaker.send(
      new DescribePipelineDefinitionForExecutionCommand({ PipelineExecutionArn: first }),
    );
    expect(JSON.parse(stored.PipelineDefinition!)).toEqual(seedLikeDefinition());
  });

  it('lists steps newest first by default and pages through them', async () => {
    const page = await t.sagemaker.send(
      new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: first, MaxResults: 4 }),
    );
    expect(page.PipelineExecutionSteps).toHaveLength(4);
    expect(page.PipelineExecutionSteps?.[3]?.StepName).not.toBe('Preprocess');
    const rest = await t.sagemaker.send(
      new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: first, MaxResults: 4, NextToken: page.NextToken }),
    );
    expect(rest.PipelineExecutionSteps?.map((s) => s.StepName).pop()).toBe('Preprocess');
    expect(rest.NextToken).toBeUndefined();
  });

  it('publishes execution status changes and the model package state change in EventBridge shape', () => {
    const statuses = events
      .filter((e) => e['detail-type'] === 'SageMaker Model Building Pipeline Execution Status Change')
      .map((e) => [
        e.detail['pipelineExecutionArn'],
        e.detail['previousPipelineExecutionStatus'],
        e.detail['currentPipelineExecutionStatus'],
      ]);
    expect(statuses).toEqual([
      [first, undefined, 'Executing'],
      [first, 'Executing', 'Succeeded'],
      [second, undefined, 'Executing'],
      [second, 'Executing', 'Failed'],
    ]);
    const packages = events.filter((e) => e['detail-type'] === 'SageMaker Model Package State Change');
    expect(packages).toHaveLength(1);
    expect(packages[0]).toMatchObject({
      version: '0',
      source: 'aws.sagemaker',
      account: '000000000000',
      region: 'us-east-1',
      resources: ['arn:aws:sagemaker:us-east-1:000000000000:model-package/sentiment-models/1'],
      detail: {
        ModelPackageGroupName: 'sentiment-models',
        ModelPackageVersion: 1,
        ModelApprovalStatus: 'PendingManualApproval',
        ModelPackageStatus: 'Completed',
        MetadataProperties: { GeneratedBy: first },
      },
    });
    expect(packages[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });
});
