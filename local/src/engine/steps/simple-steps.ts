import { ConditionError, evaluateConditions } from '../conditions.js';
import { describeModel } from '../describe-shapes.js';
import { isObject } from '../definition/index.js';
import { ExpressionError, joinText } from '../expressions.js';
import { pipelineResourceName, resourceArn } from '../naming.js';
import { describeModelPackage } from '../../registry/model-package-shapes.js';
import { errorMessage, type StepExecutor, type StepOutcome } from './step-executor.js';

/** Condition: evaluates Conditions; the scheduler then runs IfSteps or ElseSteps. */
export const runConditionStep: StepExecutor = async (context) => {
  const conditions = (context.step.arguments as { Conditions: unknown[] }).Conditions;
  try {
    const resolved = (await context.resolve(conditions)) as unknown[];
    const outcome = evaluateConditions(resolved, (value) => value);
    return {
      status: 'Succeeded',
      properties: { Outcome: outcome },
      metadata: { Condition: { Outcome: outcome ? 'True' : 'False' } },
      outcome,
    };
  } catch (error) {
    if (error instanceof ConditionError || error instanceof ExpressionError) {
      return { status: 'Failed', failureReason: `Condition evaluation failed: ${error.message}` };
    }
    throw error;
  }
};

/** Fail: ends the execution as Failed with its rendered ErrorMessage. */
export const runFailStep: StepExecutor = async (context) => {
  const raw = isObject(context.step.arguments) ? context.step.arguments['ErrorMessage'] : undefined;
  let message = '';
  try {
    message = raw === undefined || raw === null ? '' : joinText(await context.resolve(raw), raw);
  } catch (error) {
    return { status: 'Failed', failureReason: `Could not render the Fail step's ErrorMessage: ${errorMessage(error)}` };
  }
  return {
    status: 'Failed',
    failureReason: message,
    metadata: { Fail: { ErrorMessage: message } },
    executionFailureReason: message,
  };
};

/** RegisterModel: creates a model package version (creating the group if needed, as pipelines do). */
export const runRegisterModelStep: StepExecutor = async (context) => {
  let request: unknown;
  try {
    request = await context.resolve(context.step.arguments);
  } catch (error) {
    return failed(error);
  }
  try {
    const { registry } = context.services;
    const record = registry.createPackage(request as Record<string, unknown>, {
      actor: context.execution.createdBy,
      createGroupIfMissing: true,
      generatedBy: context.execution.arn,
    });
    return {
      status: 'Succeeded',
      properties: describeModelPackage(record),
      metadata: { RegisterModel: { Arn: record.arn } },
    };
  } catch (error) {
    return failed(error, 'RegisterModel failed: ');
  }
};

/** Model (CreateModel): records the resolved request so DescribeModel and endpoints can use it. */
export const runModelStep: StepExecutor = async (context) => {
  let request: Record<string, unknown>;
  try {
    request = (await context.resolve(context.step.arguments)) as Record<string, unknown>;
  } catch (error) {
    return failed(error);
  }
  if (!isObject(request['PrimaryContainer']) && !Array.isArray(request['Containers'])) {
    return {
      status: 'Failed',
      failureReason: 'CreateModel needs PrimaryContainer or Containers in the step Arguments',
    };
  }
  const name = pipelineResourceName(context.execution.id, context.step.name);
  const arn = resourceArn(context.services.scope, 'model', name);
  const model = { name, arn, request, executionArn: context.execution.arn, createdAt: new Date() };
  context.services.store.models.insert(model);
  return { status: 'Succeeded', properties: describeModel(model), metadata: { Model: { Arn: arn } } };
};

function failed(error: unknown, prefix = ''): StepOutcome {
  return { status: 'Failed', failureReason: `${prefix}${errorMessage(error)}` };
}
