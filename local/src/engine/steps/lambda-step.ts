import { existsSync } from 'node:fs';
import { PROJECT_CONFIG_FILE, describeValue } from '@slipway/core';
import type { AddIssue, StepDefinition } from '../definition/index.js';
import type { LocalSupportContext } from './local-step-types.js';
import { LAMBDA_FUNCTIONS_SETTING, LocalLambdaFunctions } from './lambda-functions.js';
import { HANDLER_NOT_FOUND, invokeLocalLambda } from './lambda-invoke.js';
import { checkOutputParameters, declaredOutputs, missingOutputs, type OutputDeclaration } from './output-parameters.js';
import { errorMessage, resolveArgumentsAnd, type StepExecutor } from './step-executor.js';

/** How long a Lambda step may run when it sets no TimeoutInSeconds: SageMaker's limit for Lambda steps, 10 minutes. */
export const DEFAULT_LAMBDA_STEP_TIMEOUT_SECONDS = 600;

/** A Lambda step's FunctionArn (it must have a local handler), TimeoutInSeconds and OutputParameters, at CreatePipeline. */
export function checkLambdaStep(step: StepDefinition, context: LocalSupportContext, add: AddIssue): void {
  const arn = step.envelope['FunctionArn'];
  if (typeof arn !== 'string' || arn.length === 0) {
    add(
      `${step.field}.FunctionArn`,
      `(step "${step.name}") is required, got ${describeValue(arn)}`,
      'name the Lambda function (its ARN) the step invokes',
    );
  } else if (!context.lambdaFunctions.find(arn)) {
    add(
      `${step.field}.FunctionArn`,
      `(step "${step.name}", type Lambda) is ${JSON.stringify(arn)}, which has no local handler: the local server ` +
        `runs a Lambda step's function from ${LAMBDA_FUNCTIONS_SETTING}` +
        (context.lambdaFunctions.keys.length ? ` (it maps ${context.lambdaFunctions.keys.join(', ')})` : ''),
      LocalLambdaFunctions.fix(arn),
    );
  }
  const timeout = step.envelope['TimeoutInSeconds'];
  if (timeout !== undefined && !(Number.isInteger(timeout) && (timeout as number) > 0)) {
    add(
      `${step.field}.TimeoutInSeconds`,
      `(step "${step.name}") must be a whole number of seconds above 0, got ${describeValue(timeout)}`,
      `remove it for the default of ${DEFAULT_LAMBDA_STEP_TIMEOUT_SECONDS} s`,
    );
  }
  checkOutputParameters(step, add);
}

/** A returned output as its declared type; the handler's dict carries JSON values, so types are not converted. */
function typedOutput(value: unknown, declaration: OutputDeclaration): string | number | boolean {
  const fits =
    declaration.type === 'String'
      ? typeof value === 'string'
      : declaration.type === 'Boolean'
        ? typeof value === 'boolean'
        : typeof value === 'number' &&
          Number.isFinite(value) &&
          (declaration.type === 'Float' || Number.isInteger(value));
  if (!fits) {
    throw new Error(
      `the handler returned ${declaration.name} = ${JSON.stringify(value)}, but the step declares it ` +
        `${declaration.type}; return a ${declaration.type === 'Float' ? 'number' : declaration.type.toLowerCase()} ` +
        'or change its OutputType',
    );
  }
  return value as string | number | boolean;
}

/** Where a handler's entry is, for messages: `local.lambdaFunctions["name"] in slipway.config.json`. */
function handlerSetting(key: string): string {
  return `local.lambdaFunctions[${JSON.stringify(key)}] in ${PROJECT_CONFIG_FILE}`;
}

/** The end of the handler's log, for a failure reason. */
function tail(log: string, lines = 5): string {
  const kept = log.trimEnd().split('\n').slice(-lines).join('\n');
  return kept ? `; its output ended:\n${kept}` : '';
}

/**
 * Lambda: calls the function's local handler (`local.lambdaFunctions`) with the step's Arguments as the event,
 * in a subprocess limited to TimeoutInSeconds; the returned dict's declared OutputParameters become
 * `Steps.X.OutputParameters['name']`, typed as declared.
 */
export const runLambdaStep: StepExecutor = async (context) => {
  const { step, services } = context;
  const resolved = await resolveArgumentsAnd(context, 'FunctionArn');
  if ('failed' in resolved) return resolved.failed;
  const { args: event, value: arn } = resolved;
  const metadata = { Lambda: { Arn: arn } };
  const handler = services.localSupport.lambdaFunctions.find(arn);
  if (!handler) {
    return {
      status: 'Failed',
      failureReason: `The Lambda function ${arn} has no local handler in ${LAMBDA_FUNCTIONS_SETTING}: ${LocalLambdaFunctions.fix(arn)}.`,
      metadata,
    };
  }
  context.reportMetadata(metadata);
  if (!existsSync(handler.file)) {
    return {
      status: 'Failed',
      failureReason:
        `The Lambda function ${arn}'s local handler file ${handler.file} does not exist: create it, or fix ` +
        `${handlerSetting(handler.key)}.file (relative to the repository root)`,
      metadata,
    };
  }
  const timeoutSeconds =
    (step.envelope['TimeoutInSeconds'] as number | undefined) ?? DEFAULT_LAMBDA_STEP_TIMEOUT_SECONDS;
  let invocation;
  try {
    invocation = await invokeLocalLambda(handler, event, {
      functionArn: arn,
      timeoutMs: timeoutSeconds * 1000,
      signal: context.signal,
    });
  } catch (error) {
    return {
      status: 'Failed',
      failureReason: `The Lambda function ${arn} could not run: ${errorMessage(error)}`,
      metadata,
    };
  }
  if (invocation.log) services.log.info(`Lambda step ${step.name} (${handler.key}):\n${invocation.log.trimEnd()}`);
  switch (invocation.kind) {
    case 'stopped':
      return { status: 'Stopped', failureReason: 'The execution was stopped while the Lambda function ran.', metadata };
    case 'timedOut':
      return {
        status: 'Failed',
        failureReason: `The Lambda function ${arn} timed out after ${timeoutSeconds} s (the step's TimeoutInSeconds${
          step.envelope['TimeoutInSeconds'] === undefined ? `, default ${DEFAULT_LAMBDA_STEP_TIMEOUT_SECONDS}` : ''
        })${tail(invocation.log)}`,
        metadata,
      };
    case 'raised':
      if (invocation.errorType === HANDLER_NOT_FOUND) {
        return {
          status: 'Failed',
          failureReason:
            `The Lambda function ${arn}'s local handler is missing: ${invocation.errorMessage}. Define it, or name ` +
            `the right function in ${handlerSetting(handler.key)}.function`,
          metadata,
        };
      }
      return {
        status: 'Failed',
        failureReason: `The Lambda function ${arn} failed: ${invocation.errorType}: ${invocation.errorMessage}`,
        metadata,
      };
    case 'returned':
      break;
  }
  const declared = declaredOutputs(step);
  const result = invocation.result;
  const returned =
    typeof result === 'object' && result !== null && !Array.isArray(result)
      ? (result as Record<string, unknown>)
      : undefined;
  if (declared.length > 0 && !returned) {
    return {
      status: 'Failed',
      failureReason: `The Lambda function ${arn} returned ${describeValue(result)}, not a dict of its outputs (${declared.map((d) => d.name).join(', ')})`,
      metadata,
    };
  }
  const missing = missingOutputs(declared, returned ?? {});
  if (missing.length > 0) {
    return {
      status: 'Failed',
      failureReason: `The Lambda function ${arn} did not return the declared output(s) ${missing.join(', ')} (it returned ${Object.keys(returned!).join(', ') || 'none'})`,
      metadata,
    };
  }
  try {
    const outputs = Object.fromEntries(
      declared.map((output) => [output.name, typedOutput(returned![output.name], output)]),
    );
    const reported = {
      Lambda: {
        Arn: arn,
        OutputParameters: Object.entries(outputs).map(([Name, Value]) => ({ Name, Value: String(Value) })),
      },
    };
    return { status: 'Succeeded', properties: { OutputParameters: outputs }, metadata: reported };
  } catch (error) {
    return { status: 'Failed', failureReason: `The Lambda function ${arn}: ${errorMessage(error)}`, metadata };
  }
};
