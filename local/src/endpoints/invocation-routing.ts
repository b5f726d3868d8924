import type { Fleet, Instance } from './fleet.js';
import type { LiveEndpoint } from './live-endpoint.js';
import type { RuntimeError } from './runtime-errors.js';

/** Where one invocation goes: the fleet and its instance. */
export interface InvocationTarget {
  readonly fleet: Fleet;
  readonly instance: Instance;
}

/**
 * Picks the fleet and instance for one InvokeEndpoint, or the runtime error to answer. During a blue/green
 * shift the new fleet takes `newShare` of the requests; a variant named in X-Amzn-SageMaker-Target-Variant is
 * looked for in the other fleet when the first has no such variant.
 */
export function routeInvocation(live: LiveEndpoint, variant: string | undefined): InvocationTarget | RuntimeError {
  const first = live.incoming && Math.random() < live.newShare ? live.incoming : live.serving;
  if (!first) {
    return runtimeError(
      'ValidationError',
      `Endpoint ${live.name} is ${live.status}: it takes requests once it is InService.`,
    );
  }
  let fleet = first;
  let picked = first.pick(variant);
  // During a blue/green shift a named variant may exist in one fleet only.
  const other = first === live.serving ? live.incoming : live.serving;
  if ('problem' in picked && picked.problem === 'unknown-variant' && other) {
    const again = other.pick(variant);
    if (!('problem' in again) || again.problem !== 'unknown-variant') {
      fleet = other;
      picked = again;
    }
  }
  if (!('problem' in picked)) return { fleet, instance: picked };
  if (picked.problem === 'unknown-variant') {
    return runtimeError(
      'ValidationError',
      `Endpoint ${live.name} has no production variant ${variant}; its variants: ${picked.variants.join(', ')}.`,
    );
  }
  if (picked.problem === 'no-weight') {
    return runtimeError(
      'ValidationError',
      `Every production variant of endpoint ${live.name} has weight 0: name one in X-Amzn-SageMaker-Target-Variant.`,
    );
  }
  return runtimeError(
    'ServiceUnavailable',
    `The model server of variant ${picked.variant} of endpoint ${live.name} exited and is being restarted; try again.`,
  );
}

function runtimeError(code: RuntimeError['code'], message: string): RuntimeError {
  return { code, message };
}
