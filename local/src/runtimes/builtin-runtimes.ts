import type { RuntimeDefinition, TrainingAlgorithm, VenvEnvironment } from './runtime-definition.js';

/*
 * The images Slipway runs out of the box, each with the packages its container ships where user code depends on
 * them. The interpreter is this machine's Python 3.11; where an image's exact pins have no release that installs
 * on it, the nearest release that does stands in, and the runtime's notes say so (in `slipway local runtimes
 * list` and in every job log). `seed/requirements.txt` pins the scikit-learn 1.2-1 set for the seed code's own
 * venv, and a test holds the two equal.
 */

/** scikit-learn 0.23.2 and 1.0.2 (and their numpy, scipy, pandas) have no Python 3.11 wheels: the first releases that do. */
const SKLEARN_PY311_FLOOR: VenvEnvironment = {
  kind: 'venv',
  venv: 'sklearn-1.0-1',
  requirements: [
    'scikit-learn==1.1.3',
    'numpy==1.23.2',
    'scipy==1.9.2',
    'pandas==1.5.0',
    'joblib==1.2.0',
    'threadpoolctl==3.1.0',
  ],
};

const SKLEARN_1_2: VenvEnvironment = {
  kind: 'venv',
  venv: 'sklearn-1.2-1',
  requirements: [
    'scikit-learn==1.2.1',
    'numpy==1.24.1',
    // The container's scipy predates Python 3.11 wheels; 1.10.1 is the nearest release that has them.
    'scipy==1.10.1',
    // The container's pandas 1.1.3 has no Python 3.11 wheels; 1.5.0 is the first release that has.
    'pandas==1.5.0',
    'joblib==1.2.0',
    'threadpoolctl==3.1.0',
  ],
};

const SKLEARN_1_4: VenvEnvironment = {
  kind: 'venv',
  venv: 'sklearn-1.4-2',
  requirements: [
    'scikit-learn==1.4.2',
    'numpy==2.1.0',
    'pyarrow==17.0.0',
    'scipy==1.14.1',
    'pandas==2.2.3',
    'joblib==1.4.2',
    'threadpoolctl==3.5.0',
  ],
};

/** What the transformers-based images add to PyTorch; also prefetched for PyTorch jobs' requirements.txt. */
const HUGGING_FACE_PACKAGES = [
  'transformers==4.49.0',
  'tokenizers==0.21.0',
  'safetensors==0.5.3',
  'huggingface-hub==0.29.1',
  'accelerate==1.4.0',
  'datasets==3.3.2',
  'evaluate==0.4.3',
];

/** torch from PyPI: on Linux x86-64 it pulls the CUDA wheels (about 3 GB), so it is built only when needed. */
const PYTORCH_2_5: VenvEnvironment = {
  kind: 'venv',
  venv: 'pytorch-2.5',
  requirements: [
    'torch==2.5.1',
    'torchvision==0.20.1',
    'torchaudio==2.5.1',
    'numpy==1.26.4',
    'scipy==1.14.1',
    'pandas==2.2.3',
    'scikit-learn==1.5.2',
  ],
  prefetch: HUGGING_FACE_PACKAGES,
};

const HUGGING_FACE_4_49: VenvEnvironment = {
  kind: 'venv',
  venv: 'huggingface-pytorch-4.49',
  base: PYTORCH_2_5,
  requirements: HUGGING_FACE_PACKAGES,
};

const XGBOOST_1_7: VenvEnvironment = {
  kind: 'venv',
  venv: 'xgboost-1.7-1',
  requirements: [
    'xgboost==1.7.6',
    'numpy==1.23.2',
    'scipy==1.9.2',
    'pandas==1.5.0',
    'scikit-learn==1.1.3',
    'joblib==1.2.0',
    'threadpoolctl==3.1.0',
  ],
};

const CPU_OR_CUDA =
  'CPU here; torch uses CUDA when the machine has an NVIDIA GPU (SM_NUM_GPUS counts them), so -gpu- and -cpu- tags share it';

/** The XGBoost algorithm's metrics as SageMaker defines them for its built-in algorithm (`validation:rmse`, ...). */
const XGBOOST_METRICS = [
  'rmse',
  'rmsle',
  'mae',
  'mape',
  'mphe',
  'logloss',
  'error',
  'merror',
  'mlogloss',
  'auc',
  'aucpr',
  'ndcg',
  'map',
  'poisson-nloglik',
  'gamma-nloglik',
  'gamma-deviance',
  'cox-nloglik',
  'tweedie-nloglik',
];
const NUMBER = '([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)';
const XGBOOST_ALGORITHM: TrainingAlgorithm = {
  entry: 'slipway_algorithms.xgboost_algorithm:main',
  metricDefinitions: ['train', 'validation'].flatMap((channel) =>
    XGBOOST_METRICS.map((metric) => ({
      Name: `${channel}:${metric}`,
      Regex: `.*\\[[0-9]+\\].*#011${channel}-${metric}:${NUMBER}.*`,
    })),
  ),
};

const sklearn = (version: string, environment: VenvEnvironment, notes: readonly string[]): RuntimeDefinition => ({
  name: `sklearn-${version}`,
  description: `the SageMaker scikit-learn ${version} container (sagemaker-scikit-learn:${version}-cpu-py3)`,
  source: 'built-in',
  images: [`sagemaker-scikit-learn:${version}`, `sagemaker-scikit-learn:${version}-cpu-py3`],
  awsImagesOnly: true,
  trainingModule: 'sagemaker_sklearn_container.training:main',
  serving: 'sklearn',
  environment,
  ...(notes.length ? { notes } : {}),
});

const OLDER_XGBOOST = ['1.0-1', '1.2-1', '1.2-2', '1.3-1', '1.5-1'];

const xgboost = (version: string, notes: readonly string[]): RuntimeDefinition => ({
  name: `xgboost-${version}`,
  description: `the SageMaker XGBoost ${version} container (sagemaker-xgboost:${version}), script mode and the built-in algorithm`,
  source: 'built-in',
  images: [`sagemaker-xgboost:${version}`, `sagemaker-xgboost:${version}-cpu-py3`],
  awsImagesOnly: true,
  trainingModule: 'sagemaker_xgboost_container.training:main',
  serving: 'xgboost',
  environment: XGBOOST_1_7,
  algorithm: XGBOOST_ALGORITHM,
  ...(notes.length ? { notes } : {}),
});

export const BUILTIN_RUNTIMES: readonly RuntimeDefinition[] = [
  sklearn('0.23-1', SKLEARN_PY311_FLOOR, [
    'the image has scikit-learn 0.23.2 on Python 3.7 with numpy 1.19.2, scipy 1.5.3 and pandas 1.1.3, none of ' +
      'which install on Python 3.11: the nearest releases that do stand in (scikit-learn 1.1.3, numpy 1.23.2, ' +
      'scipy 1.9.2, pandas 1.5.0); models pickled by 0.23.2 may not load',
  ]),
  sklearn('1.0-1', SKLEARN_PY311_FLOOR, [
    'the image has scikit-learn 1.0.2 with numpy 1.19.5, scipy 1.5.3 and pandas 1.1.3, none of which install on ' +
      'Python 3.11: the nearest releases that do stand in (scikit-learn 1.1.3, numpy 1.23.2, scipy 1.9.2, ' +
      'pandas 1.5.0); models pickled by 1.0.2 may not load',
  ]),
  sklearn('1.2-1', SKLEARN_1_2, [
    'the image’s scipy (before 1.9) and pandas 1.1.3 do not install on Python 3.11: scipy 1.10.1 and pandas ' +
      '1.5.0 stand in; scikit-learn 1.2.1 and numpy 1.24.1 are the image’s',
  ]),
  sklearn('1.4-2', SKLEARN_1_4, [
    'scikit-learn 1.4.2, numpy 2.1.0 and pyarrow 17.0.0 are the image’s; its scipy and pandas are whatever ' +
      'conda resolved for scipy>=1.9.0 and pandas>=1.5.0, pinned here as scipy 1.14.1 and pandas 2.2.3',
  ]),
  {
    name: 'pytorch-2.5',
    description:
      'the SageMaker PyTorch 2.5.1 training and inference containers (pytorch-training:2.5.1-cpu-py311, ' +
      'pytorch-inference:2.5.1-cpu-py311, and -gpu- tags)',
    source: 'built-in',
    images: ['pytorch-training:2.*', 'pytorch-inference:2.*'],
    awsImagesOnly: true,
    trainingModule: 'sagemaker_pytorch_container.training:main',
    serving: 'pytorch',
    environment: PYTORCH_2_5,
    notes: [
      `torch 2.5.1 from PyPI with its CUDA wheels (about 3 GB, built on first use); ${CPU_OR_CUDA}`,
      'every pytorch-training:2.x and pytorch-inference:2.x image runs on torch 2.5.1; a job whose image names ' +
        'another version says so in its log (map the image to your own runtime in local/runtimes.json for an exact one)',
      'transformers and its companions are not in the image, as on SageMaker: list them in the source dir’s ' +
        'requirements.txt; the versions of the Hugging Face runtime are kept in the local wheel cache, so they ' +
        'install without the network',
    ],
    tagVersions: [{ package: 'torch', version: '2.5.1', tagPattern: '^(\\d+\\.\\d+(?:\\.\\d+)?)' }],
  },
  {
    name: 'huggingface-pytorch-4.49',
    description:
      'the SageMaker Hugging Face PyTorch training and inference containers ' +
      '(huggingface-pytorch-training:2.5.1-transformers4.49.0-gpu-py311-cu124-ubuntu22.04, huggingface-pytorch-inference)',
    source: 'built-in',
    images: ['huggingface-pytorch-training:*', 'huggingface-pytorch-inference:*'],
    awsImagesOnly: true,
    trainingModule: 'sagemaker_huggingface_pytorch_container.training:main',
    serving: 'huggingface',
    environment: HUGGING_FACE_4_49,
    notes: [
      `transformers 4.49.0 layered on the pytorch-2.5 runtime (torch 2.5.1); ${CPU_OR_CUDA}`,
      'every huggingface-pytorch image runs on these versions; a job whose image names others says so in its log',
      'no model hub: HF_MODEL_ID is refused; models load from the model folder (model.tar.gz)',
    ],
    tagVersions: [
      { package: 'torch', version: '2.5.1', tagPattern: '^(\\d+\\.\\d+(?:\\.\\d+)?)' },
      { package: 'transformers', version: '4.49.0', tagPattern: 'transformers(\\d+\\.\\d+(?:\\.\\d+)?)' },
    ],
  },
  xgboost('1.7-1', [
    'xgboost 1.7.6 (the last 1.7 release); numpy, scipy, pandas and scikit-learn are the first releases that ' +
      'install on Python 3.11 (numpy 1.23.2, scipy 1.9.2, pandas 1.5.0, scikit-learn 1.1.3)',
  ]),
  ...OLDER_XGBOOST.map((version) =>
    xgboost(version, [
      `the image has XGBoost ${version.replace(/-\d+$/, '')}; xgboost 1.7.6 of the xgboost-1.7-1 runtime stands in ` +
        '(older releases do not work with a numpy that installs on Python 3.11)',
    ]),
  ),
];

/**
 * The runtimes `npm run setup` builds up front: those the default project's pipeline (scikit-learn) uses. The
 * others, PyTorch's above all (several GB), are built when a pipeline, endpoint or test first needs them.
 */
export const PREBUILT_RUNTIMES: readonly string[] = ['sklearn-1.2-1'];
