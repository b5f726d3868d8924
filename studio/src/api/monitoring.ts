import { readMonitorStatus } from '@slipway/deploy-pipeline';
import type { MonitoringView } from '../views.js';
import type { ConsoleContext } from './console-context.js';

/** Checks per endpoint the page shows (as many as `slipway monitor status` by default). */
const CHECKS_SHOWN = 5;

/**
 * Each endpoint's last drift checks, their statistics against the baseline, the violations and the retrains
 * they started: read by `readMonitorStatus`, the reader `slipway monitor status` prints from.
 */
export async function monitoringView(context: ConsoleContext): Promise<MonitoringView> {
  const { monitoring, s3 } = context.backend;
  if (!monitoring) {
    return {
      endpoints: [],
      checks: [],
      retrains: [],
      retrainLedger: '',
      note: 'No slipway.config.json was found where the console started, so it knows no endpoints to watch.',
    };
  }
  const status = await readMonitorStatus({
    s3,
    bucket: monitoring.bucket,
    endpoints: monitoring.endpoints,
    limit: CHECKS_SHOWN,
    ledger: monitoring.ledger,
  });
  // Held to the page's restated shape by assignment: a change to the reader that the page cannot draw fails here.
  const view: MonitoringView = status;
  return view;
}
