import { ServiceError } from './service-error.js';

/** A JSON object as decoded from a request body. */
export type JsonObject = { [key: string]: unknown };

/** What a handler knows about the request besides its input. */
export interface OperationContext {
  /** Who is calling: the `X-Slipway-Actor` header, else the access key id of the request's credentials. */
  readonly actor: string;
  readonly requestId: string;
}

export type OperationHandler = (input: JsonObject, context: OperationContext) => unknown;

/**
 * One resource family's operations for one JSON service, e.g. SageMaker's pipeline operations. A family
 * lives in one module under `api/` and is added to the registry; nothing else changes to serve it.
 */
export interface OperationModule {
  /** The `X-Amz-Target` prefix: `SageMaker`, `AWSEvents`, ... */
  readonly service: string;
  readonly operations: Readonly<Record<string, OperationHandler>>;
}

/** Maps `X-Amz-Target` values (`SageMaker.CreatePipeline`) to handlers. */
export class OperationRegistry {
  private readonly handlers = new Map<string, OperationHandler>();

  add(module: OperationModule): this {
    for (const [name, handler] of Object.entries(module.operations)) {
      const target = `${module.service}.${name}`;
      if (this.handlers.has(target)) throw new Error(`operation ${target} is registered twice`);
      this.handlers.set(target, handler);
    }
    return this;
  }

  has(target: string): boolean {
    return this.handlers.has(target);
  }

  targets(): string[] {
    return [...this.handlers.keys()].sort();
  }

  /** Runs the handler for `target`; an unknown target is the service's `UnknownOperationException`. */
  async invoke(target: string, input: JsonObject, context: OperationContext): Promise<unknown> {
    const handler = this.handlers.get(target);
    if (!handler) {
      const service = target.split('.')[0] ?? target;
      throw new ServiceError(
        'UnknownOperationException',
        `The local server does not implement ${target}. It serves: ${
          this.targets()
            .filter((t) => t.startsWith(`${service}.`))
            .join(', ') || 'no operations of this service'
        }.`,
      );
    }
    return handler(input, context);
  }
}
