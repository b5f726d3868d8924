import type { DeliveryHistory } from '../deploy/delivery-history.js';
import type { DeployRunStore } from './deploy-run-store.js';

/** The local runs before run `number` that received the same event id: the local workflow's record. */
export function runStoreDeliveries(runs: DeployRunStore, number: number): DeliveryHistory {
  return {
    async earlierDeliveries(eventId) {
      return (await runs.list())
        .filter((run) => run.number < number && run.dispatch.client_payload['event_id'] === eventId)
        .map((run) => ({
          run: `run #${run.number}`,
          status: run.status,
          ...(run.conclusion ? { conclusion: run.conclusion } : {}),
        }));
    },
  };
}
