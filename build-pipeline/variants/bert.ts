/**
 * The lecture's model: a BERT sequence classifier (transformers) trained by a PyTorch estimator from seed/bert/,
 * evaluated by the same seed/evaluate.py in a processing job on the PyTorch image, registered and served with the
 * PyTorch inference image. Chosen with `"model": "bert"` in slipway.config.json (`npx slipway init --model bert`).
 *
 * By default Train builds a small BERT from scratch (2 layers, hidden size 128, a WordPiece vocabulary trained on
 * the train split): nothing is downloaded, so it runs locally and in tests. On SageMaker, start the pipeline with
 * `PretrainedModel=bert-base-uncased` to fine-tune that checkpoint from the Hugging Face hub instead (and, for
 * speed, a GPU default for TrainingInstanceType: the image follows the parameter's default).
 */
import {
  ParameterInteger,
  ParameterString,
  PyTorch,
  PyTorchModel,
  ScriptProcessor,
  frameworkImageUri,
} from '@slipway/build-pipeline';
import type { DefineVariant } from './model-variant.js';

/** The PyTorch images seed/bert/ is written and tested for (PyTorch 2.5.1 on Python 3.11, as the local PyTorch runtime). */
export const PYTORCH_VERSION = '2.5.1';

/** The `PretrainedModel` value that trains the small BERT from scratch. */
export const FROM_SCRATCH = 'none';

export const defineBertVariant: DefineVariant = ({ context, seed, estimator, ...inputs }) => {
  const pretrainedModel = new ParameterString('PretrainedModel', { defaultValue: FROM_SCRATCH });
  const epochs = new ParameterInteger('Epochs', { defaultValue: 4 });
  return {
    parameters: [pretrainedModel, epochs],
    description: 'A BERT sequence classifier (transformers) on the PyTorch image; logs validation accuracy.',
    estimator: new PyTorch({
      ...estimator,
      frameworkVersion: PYTORCH_VERSION,
      // The whole folder: train.py, inference.py (its tokenizer, and the serving code it copies into the model)
      // and requirements.txt, which the training container installs before it runs train.py.
      entryPoint: 'train.py',
      sourceDir: seed('bert'),
      hyperparameters: { 'pretrained-model': pretrainedModel, epochs },
    }),
    // python3 on the PyTorch training image (CPU: scoring the test split needs no GPU), as the Python SDK's
    // ScriptProcessor(image_uri=image_uris.retrieve("pytorch", ...), command=["python3"]).
    evaluationProcessor: new ScriptProcessor({
      imageUri: frameworkImageUri({
        framework: 'pytorch',
        version: PYTORCH_VERSION,
        region: context.config.region,
        scope: 'training',
      }).imageUri,
      command: ['python3'],
      role: context.roleArn,
      instanceType: inputs.processingInstanceType,
      instanceCount: inputs.processingInstanceCount,
    }),
    model: (modelData) =>
      new PyTorchModel({
        frameworkVersion: PYTORCH_VERSION,
        entryPoint: 'inference.py',
        modelData,
        role: context.roleArn,
      }),
  };
};
