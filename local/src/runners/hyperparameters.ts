import { isPyDict, pyJsonLoads, pyRepr, pyStr, type PyValue } from './python-values.js';

/**
 * The hyperparameters the training toolkit keeps for itself (`params.SAGEMAKER_HYPERPARAMETERS`); every other
 * `sagemaker_*` key is a framework parameter, and the rest are the user's.
 */
export const SAGEMAKER_HYPERPARAMETERS: ReadonlySet<string> = new Set([
  'sagemaker_program',
  'sagemaker_submit_directory',
  'sagemaker_region',
  'sagemaker_container_log_level',
  'sagemaker_job_name',
  'sagemaker_enable_cloudwatch_metrics',
  'sagemaker_s3_output',
  '_tuning_objective_metric',
  'default_user_module_name',
]);

export interface DecodedHyperparameters {
  /** The user's hyperparameters, decoded. */
  readonly user: Record<string, PyValue>;
  /** `sagemaker_*` keys the toolkit does not reserve (`additional_framework_parameters`). */
  readonly framework: Record<string, PyValue>;
  /** The toolkit's reserved keys (`sagemaker_program`, `sagemaker_submit_directory`, ...). */
  readonly sagemaker: Record<string, PyValue>;
}

/** `read_hyperparameters()` then `split_by_criteria(keys=SAGEMAKER_HYPERPARAMETERS, prefix="sagemaker_")`. */
export function decodeHyperparameters(raw: Record<string, string> | undefined): DecodedHyperparameters {
  const user: Record<string, PyValue> = {};
  const framework: Record<string, PyValue> = {};
  const sagemaker: Record<string, PyValue> = {};
  for (const [key, text] of Object.entries(raw ?? {})) {
    // Each value is JSON-decoded when it can be ("\"train.py\"" → train.py, "0.1" → 0.1), else kept as given.
    const decoded = pyJsonLoads(text);
    const value = decoded === undefined ? text : decoded;
    if (SAGEMAKER_HYPERPARAMETERS.has(key)) sagemaker[key] = value;
    else if (key.startsWith('sagemaker_')) framework[key] = value;
    else user[key] = value;
  }
  return { user, framework, sagemaker };
}

/**
 * `mapping.to_cmd_args`: keys sorted, `--key` (or `-k` for a single character), values as Python's `str`;
 * a dict becomes `k=v,k2=v2`.
 */
export function toCommandArgs(hyperparameters: Record<string, PyValue>): string[] {
  return Object.keys(hyperparameters)
    .sort()
    .flatMap((key) => {
      const value = hyperparameters[key];
      const name = key === '' ? '' : key.length > 1 ? `--${key}` : `-${key}`;
      const text = isPyDict(value)
        ? Object.keys(value)
            .sort()
            .map((k) => `${k}=${percentS(value[k]!)}`)
            .join(',')
        : pyStr(value);
      return [name, text];
    });
}

/** Python's `"%s" % value` (unlike the toolkit's `_decode`, None is `None` here). */
function percentS(value: PyValue): string {
  return typeof value === 'string' ? value : pyRepr(value);
}
