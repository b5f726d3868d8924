/**
 * Test-only stand-ins for the SageMaker Python SDK's fake `CustomStep` (tests/unit/sagemaker/workflow/helpers.py):
 * a step whose `Arguments` are given verbatim. Real pipelines never need them.
 */
import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import {
  ProcessingStep,
  Processor,
  Step,
  createProperties,
  type Arguments,
  type PropertyFile,
  type PropertyStruct,
  type StepOptions,
} from '@slipway/build-pipeline';

/** CustomStep: `Type: "Training"`, raw arguments, DescribeTrainingJobResponse properties. */
export class RawTrainingStep extends Step {
  readonly stepType = 'Training' as const;

  constructor(
    name: string,
    private readonly rawArguments: Arguments = {},
    options: StepOptions = {},
  ) {
    super(name, options);
  }

  get properties(): PropertyStruct<DescribeTrainingJobResponse> {
    return createProperties(this, 'DescribeTrainingJobResponse');
  }

  buildArguments(): Arguments {
    return this.rawArguments;
  }
}

/**
 * A processing step with raw arguments that declares property files on the given outputs, for fixtures whose
 * CustomStep is read through a property file (which only processing steps have).
 */
export class RawProcessingStep extends ProcessingStep {
  constructor(name: string, outputNames: readonly string[], propertyFiles: readonly PropertyFile[]) {
    super(name, {
      processor: new Processor({ imageUri: 'unused', role: 'unused', instanceType: 'ml.m5.large' }),
      outputs: outputNames.map((outputName) => ({ outputName, source: `/opt/ml/processing/${outputName}` })),
      propertyFiles,
    });
  }

  override buildArguments(): Arguments {
    return {};
  }
}
