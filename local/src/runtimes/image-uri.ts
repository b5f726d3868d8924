import { ValidationError, describeValue } from '@slipway/core';

/** The parts of a container image reference that decide which local runtime stands in for it. */
export interface ImageReference {
  /** The registry host, e.g. `683313688378.dkr.ecr.us-east-1.amazonaws.com`; absent for `repo:tag`. */
  readonly registry?: string;
  /** The repository path without the registry, e.g. `sagemaker-scikit-learn` or `my-team/trainer`. */
  readonly repository: string;
  /** The last path segment of the repository, e.g. `sagemaker-scikit-learn`. */
  readonly name: string;
  readonly tag?: string;
  readonly digest?: string;
}

// A registry is the first path segment when it looks like a host (has a dot or a port, or is localhost).
const REGISTRY = /^(?:localhost|[^/]*[.:][^/]*)$/;
const ECR_HOST = /^\d{12}\.(?:dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?|dkr-ecr\.[a-z0-9-]+\.on\.aws)$/;

/**
 * Parses `[registry/]repository[:tag][@digest]`, the form of `AppSpecification.ImageUri`,
 * `AlgorithmSpecification.TrainingImage` and `PrimaryContainer.Image`.
 */
export function parseImageUri(uri: string, field = 'ImageUri'): ImageReference {
  const bad = (problem: string): never => {
    throw new ValidationError({
      where: field,
      field: '',
      problem: `${problem}, got ${describeValue(uri)}`,
      fix: 'give an image URI such as 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
    });
  };
  if (typeof uri !== 'string' || uri.trim() === '' || /\s/.test(uri))
    bad('must be a non-empty image URI without spaces');
  const [withoutDigest, digest] = uri.split('@', 2) as [string, string | undefined];
  const slash = withoutDigest.indexOf('/');
  const first = slash >= 0 ? withoutDigest.slice(0, slash) : '';
  const registry = slash >= 0 && REGISTRY.test(first) ? first : undefined;
  const rest = registry ? withoutDigest.slice(slash + 1) : withoutDigest;
  const colon = rest.lastIndexOf(':');
  const repository = colon > rest.lastIndexOf('/') ? rest.slice(0, colon) : rest;
  const tag = colon > rest.lastIndexOf('/') ? rest.slice(colon + 1) : undefined;
  if (!repository || repository.split('/').some((segment) => segment === '')) bad('has an empty repository name');
  if (tag === '') bad('has an empty tag');
  return {
    ...(registry ? { registry } : {}),
    repository,
    name: repository.slice(repository.lastIndexOf('/') + 1),
    ...(tag !== undefined ? { tag } : {}),
    ...(digest ? { digest } : {}),
  };
}

/** True for a private ECR registry host (any account and region, including China and dual-stack forms). */
export function isEcrRegistry(registry: string | undefined): boolean {
  return registry !== undefined && ECR_HOST.test(registry);
}

/** True when the image lives where AWS publishes its images: private ECR, public ECR, or no registry at all. */
export function isAwsStyleRegistry(reference: ImageReference): boolean {
  return (
    reference.registry === undefined || isEcrRegistry(reference.registry) || reference.registry === 'public.ecr.aws'
  );
}
