import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { readLiveDeployment, type LiveDeployment } from './live-deployment.js';

/** Statuses from which the endpoint moves on by itself. */
const SETTLING = new Set(['Creating', 'Updating', 'SystemUpdating', 'RollingBack']);

export interface WaitOptions {
  readonly timeoutSeconds: number;
  readonly pollSeconds: number;
  readonly log?: (message: string) => void;
  /** Injectable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls until the endpoint stops changing and returns its state. InService is success; Failed, OutOfService
 * or a missing endpoint throw with SageMaker's FailureReason; so does the timeout.
 */
export async function waitForEndpoint(
  sagemaker: SageMakerClient,
  endpointName: string,
  options: WaitOptions,
): Promise<LiveDeployment> {
  const sleep = options.sleep ?? defaultSleep;
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  let lastStatus = '';
  for (;;) {
    const live = await readLiveDeployment(sagemaker, endpointName);
    if (!live) throw new Error(`Endpoint ${endpointName} does not exist (it may have been deleted while deploying)`);
    if (live.status !== lastStatus) {
      options.log?.(`Endpoint ${endpointName}: ${live.status}`);
      lastStatus = live.status;
    }
    if (live.status === 'InService') return live;
    if (!SETTLING.has(live.status)) {
      throw new Error(
        `Endpoint ${endpointName} is ${live.status}${live.failureReason ? `: ${live.failureReason}` : ''}`,
      );
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `Endpoint ${endpointName} is still ${live.status} after ${options.timeoutSeconds} s; see its events in SageMaker`,
      );
    }
    await sleep(options.pollSeconds * 1000);
  }
}
