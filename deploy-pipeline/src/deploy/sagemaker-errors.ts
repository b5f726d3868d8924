/** SageMaker reports a missing endpoint, config, model or package as a ValidationException with a message. */
export function isNotFound(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ResourceNotFound' || error.name === 'ResourceNotFoundException') return true;
  return error.name === 'ValidationException' && /could not find|does not exist|not found/i.test(error.message);
}

/** Runs a Describe call; a missing resource gives undefined instead of an error. */
export async function orUndefinedIfMissing<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
