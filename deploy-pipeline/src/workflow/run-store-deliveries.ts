import type { DeliveryHistory, EarlierDelivery } from '../deploy/delivery-history.js';
import type { DeployRun } from './deploy-run.js';
import type { DeployRunStore } from './deploy-run-store.js';

/** The local runs before run `number`: the local workflow's record of what it received. */
export function runStoreDeliveries(runs: DeployRunStore, number: number): DeliveryHistory {
  const earlier = async (which: (run: DeployRun) => boolean): Promise<EarlierDelivery[]> =>
    (await runs.list())
      .filter((run) => run.number < number && which(run))
      .sort((a, b) => b.number - a.number)
      .map((run) => ({
        run: `run #${run.number}`,
        status: run.status,
        ...(run.conclusion ? { conclusion: run.conclusion } : {}),
        eventType: run.dispatch.event_type,
      }));
  return {
    earlierDeliveries: (eventId) => earlier((run) => run.dispatch.client_payload['event_id'] === eventId),
    earlierEventsOfVersion: (version) =>
      earlier(
        (run) =>
          run.dispatch.client_payload['event_id'] !== undefined &&
          String(run.dispatch.client_payload['model_package_version']) === String(version),
      ),
  };
}
