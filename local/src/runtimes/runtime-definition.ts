/** A venv Slipway builds once in the runtime cache from pinned requirement lines. */
export interface VenvEnvironment {
  readonly kind: 'venv';
  /**
   * Its folder in the runtime cache. Runtimes whose packages are the same share one venv (the scikit-learn
   * 0.23-1 and 1.0-1 stand-ins, every XGBoost 1.x image).
   */
  readonly venv: string;
  readonly requirements: readonly string[];
  /**
   * A venv this one is layered on: its packages are importable here (after this venv's own), so a large base
   * (PyTorch with its CUDA wheels, several GB) is installed once and shared, e.g. by the Hugging Face runtime.
   */
  readonly base?: VenvEnvironment;
  /**
   * Requirements downloaded (not installed) into the cache's wheelhouse when this venv is built, so that a
   * job's `requirements.txt` naming them installs without the network, e.g. transformers for a PyTorch job.
   */
  readonly prefetch?: readonly string[];
}

/** How a runtime provides its interpreter. */
export type RuntimeEnvironment =
  | VenvEnvironment
  /** An interpreter that already exists (a conda env, a system Python with torch); used as it is. */
  | { readonly kind: 'python'; readonly python: string };

/**
 * Which container's defaults the model server uses for the handlers an inference script leaves out
 * (`local/python/slipway_serving/defaults/`):
 * - `sklearn`: the scikit-learn container (input to float32 numpy arrays, `model.predict`, 415/406 for formats);
 * - `pytorch`: the PyTorch inference toolkit (TorchScript `model.pt` loader, tensors, `model(x)` under no_grad);
 * - `huggingface`: the Hugging Face inference toolkit (a `transformers` pipeline for HF_TASK, `{"inputs": …}`);
 * - `xgboost`: the XGBoost algorithm container (the `xgboost-model` booster; text/csv, text/libsvm, JSON);
 * - `toolkit`: the plain inference toolkit: JSON/CSV/NPY decoding and encoding, no default model_fn/predict_fn.
 */
export type ServingDefaults = 'sklearn' | 'pytorch' | 'huggingface' | 'xgboost' | 'toolkit';
export const SERVING_DEFAULTS: readonly ServingDefaults[] = ['sklearn', 'pytorch', 'huggingface', 'xgboost', 'toolkit'];

/**
 * A version an image tag states (e.g. `2.1.0` in `pytorch-training:2.1.0-cpu-py310`) compared with the one
 * the runtime has, so that a job run on other versions than its image's says so in its log.
 */
export interface TagVersion {
  readonly package: string;
  /** The version the runtime installs. */
  readonly version: string;
  /** A regular expression over the image tag whose first group is the image's version of `package`. */
  readonly tagPattern: string;
}

/** The image's own training program, run when a training job gives no script (the built-in algorithm mode). */
export interface TrainingAlgorithm {
  /** `module:function` importable from `local/python`, e.g. `slipway_algorithms.xgboost_algorithm:main`. */
  readonly entry: string;
  /** The metric names and regexes SageMaker defines for the algorithm, applied to its log like MetricDefinitions. */
  readonly metricDefinitions: readonly { readonly Name: string; readonly Regex: string }[];
}

/** One local stand-in for one or more container images. */
export interface RuntimeDefinition {
  /** Its name in listings and messages, e.g. `sklearn-1.2-1`. */
  readonly name: string;
  readonly description: string;
  /** `built-in`, or the runtimes file that declared it. */
  readonly source: string;
  /**
   * Image patterns (`*` matches any run of characters), each compared with the whole image URI and with its
   * `repository:tag` part, e.g. `sagemaker-scikit-learn:1.2-1-cpu-py3` or `*.amazonaws.com/my-trainer:*`.
   */
  readonly images: readonly string[];
  /** Only match images from AWS registries (private or public ECR) or with no registry. */
  readonly awsImagesOnly?: boolean;
  readonly environment: RuntimeEnvironment;
  /** The image's `SAGEMAKER_TRAINING_MODULE` (reported as SM_FRAMEWORK_MODULE), e.g. `sagemaker_sklearn_container.training:main`. */
  readonly trainingModule?: string;
  /** The defaults for handlers an inference script leaves out. */
  readonly serving: ServingDefaults;
  /** Where the runtime differs from its image (versions that cannot be installed here, ...): shown in listings and job logs. */
  readonly notes?: readonly string[];
  readonly tagVersions?: readonly TagVersion[];
  /** Built-ins only: what runs for a training job without a script. */
  readonly algorithm?: TrainingAlgorithm;
}

/** A runtime ready to run code: the interpreter that stands in for the image's `python` and `python3`. */
export interface Runtime {
  readonly name: string;
  readonly image: string;
  readonly python: string;
  readonly description: string;
  readonly serving: ServingDefaults;
  /** The definition's notes plus those about this image (its tag's versions, a GPU image on a CPU machine). */
  readonly notes: readonly string[];
  readonly trainingModule?: string;
  readonly algorithm?: TrainingAlgorithm;
  /** The definition it came from (to layer a job's requirements.txt on its venv). */
  readonly definition: RuntimeDefinition;
}
