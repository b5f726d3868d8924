/** How a runtime provides its interpreter. */
export type RuntimeEnvironment =
  /** A venv Slipway builds once in its runtime cache from pinned requirement lines. */
  | { readonly kind: 'venv'; readonly requirements: readonly string[] }
  /** An interpreter that already exists (a conda env, a system Python with torch); used as it is. */
  | { readonly kind: 'python'; readonly python: string };

/** One local stand-in for one or more container images. */
export interface RuntimeDefinition {
  /** Its folder name in the runtime cache and its name in messages, e.g. `sklearn-1.2-1`. */
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
}

/** A runtime ready to run code: the interpreter that stands in for the image's `python` and `python3`. */
export interface Runtime {
  readonly name: string;
  readonly image: string;
  readonly python: string;
  readonly description: string;
  readonly trainingModule?: string;
}
