/**
 * How the run logic tells AWS errors apart. The SDK throws ServiceException subclasses whose `name` is the
 * service's error code; moto, the local server and SageMaker do not always agree on which code a situation
 * gets, so each question here accepts every code seen for it.
 */
interface AwsErrorLike {
  readonly name?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: { readonly throttling?: boolean };
}

function asAwsError(error: unknown): AwsErrorLike {
  return typeof error === 'object' && error !== null ? (error as AwsErrorLike) : {};
}

export function errorName(error: unknown): string {
  return asAwsError(error).name ?? '';
}

export function errorMessage(error: unknown): string {
  const message = asAwsError(error).message;
  return typeof message === 'string' && message.length > 0 ? message : String(error);
}

function httpStatus(error: unknown): number | undefined {
  return asAwsError(error).$metadata?.httpStatusCode;
}

const THROTTLING_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
]);

/** The service asked the caller to slow down (after the SDK's own retries gave up). */
export function isThrottling(error: unknown): boolean {
  const candidate = asAwsError(error);
  return (
    THROTTLING_CODES.has(candidate.name ?? '') || candidate.$retryable?.throttling === true || httpStatus(error) === 429
  );
}

/** An S3 object or bucket that is not there (HeadObject answers a bare 404 with no code). */
export function isS3NotFound(error: unknown): boolean {
  const name = errorName(error);
  return name === 'NotFound' || name === 'NoSuchKey' || name === 'NoSuchBucket' || httpStatus(error) === 404;
}

/** A SageMaker resource that does not exist: SageMaker says ResourceNotFound or a ValidationException. */
export function isSageMakerNotFound(error: unknown): boolean {
  const name = errorName(error);
  if (name === 'ResourceNotFound' || name === 'ResourceNotFoundException') return true;
  return name === 'ValidationException' && /does not exist|not found|cannot be found/i.test(errorMessage(error));
}

/** CreatePipeline / CreateModelPackageGroup for a name already taken. */
export function isAlreadyExists(error: unknown): boolean {
  const name = errorName(error);
  if (name === 'ConflictException' || name === 'ResourceInUse') return true;
  return name === 'ValidationException' && /already exists/i.test(errorMessage(error));
}
