import { waitUntilEndpointDeleted, type SageMakerClient } from '@aws-sdk/client-sagemaker';
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

/** The shortest poll interval the SDK's waiter takes (it refuses 0, which tests ask for). */
const MIN_POLL_SECONDS = 0.01;

/**
 * Waits with the SDK's `waitUntilEndpointDeleted` (DescribeEndpoint until SageMaker no longer knows the
 * endpoint) until a deleted endpoint is gone, polling from every `pollSeconds` with the SDK's backoff. A
 * deletion that fails (the endpoint goes to Failed) or outlasts `timeoutSeconds` throws, naming the endpoint.
 */
export async function waitForEndpointDeleted(
  sagemaker: SageMakerClient,
  endpointName: string,
  options: Pick<WaitOptions, 'timeoutSeconds' | 'pollSeconds'>,
): Promise<void> {
  const minDelay = Math.max(options.pollSeconds, MIN_POLL_SECONDS);
  try {
    await waitUntilEndpointDeleted(
      {
        client: sagemaker,
        minDelay,
        maxDelay: Math.max(minDelay, 30),
        maxWaitTime: Math.max(options.timeoutSeconds, minDelay * 2),
      },
      { EndpointName: endpointName },
    );
  } catch (error) {
    // The waiter fails on a timeout (TimeoutError) or when the endpoint went to Failed instead of away.
    const why =
      error instanceof Error && error.name === 'TimeoutError'
        ? `within ${options.timeoutSeconds} s`
        : 'because it is Failed (see its FailureReason in SageMaker, then delete it again)';
    throw new Error(`Endpoint ${endpointName} was not deleted ${why}`, { cause: error });
  }
}
