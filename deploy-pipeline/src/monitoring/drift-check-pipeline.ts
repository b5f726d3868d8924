/**
 * The contract between the drift check's schedule (MonitoringStack) and its pipeline: the parameters each
 * scheduled run fills. The pipeline runs `monitoring.py check-endpoint` with them; the job resolves the live
 * version and its baseline when it runs, so a schedule names only an endpoint and a period, never a version.
 */
export const DRIFT_CHECK_PARAMETERS = Object.freeze({
  endpointName: 'EndpointName',
  /** The window: the last whole period before the run, in seconds. */
  periodSeconds: 'PeriodSeconds',
});
