/**
 * The CloudWatch metric a drift check on AWS publishes after each check of an endpoint: how many statistics
 * drifted in its window (0 when none did, so a check that ran is told from one that did not). The drift-check
 * job gets the namespace and name from here as arguments, and MonitoringStack alarms on it per endpoint.
 */
export const DRIFT_METRIC = Object.freeze({
  namespace: 'Slipway/Monitoring',
  metricName: 'DriftedStatistics',
  /** The one dimension: the endpoint's name. */
  dimensionName: 'EndpointName',
});
