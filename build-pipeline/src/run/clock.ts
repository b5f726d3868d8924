import { setTimeout as sleep } from 'node:timers/promises';

/** Time as the run logic sees it: injectable, so tests of back-off and timeouts take no real time. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms) => {
    await sleep(ms);
  },
};
