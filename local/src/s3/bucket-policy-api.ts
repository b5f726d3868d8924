import { MAX_POLICY_CHARACTERS, MalformedPolicyError, parseResourcePolicy } from '../accounts/resource-policy.js';
import { bucketArn } from '../accounts/cross-account.js';
import { ServiceError } from '../server/service-error.js';
import type { ResourcePolicyRepository } from '../store/resource-policy-repository.js';
import { readSmallBody } from './body-intake.js';
import type { S3Request, S3Response } from './s3-http.js';

/** PutBucketPolicy / GetBucketPolicy / DeleteBucketPolicy (`?policy`) on a bucket the caller owns. */
export async function bucketPolicyRequest(
  policies: ResourcePolicyRepository,
  bucket: string,
  method: string,
  request: S3Request,
): Promise<S3Response> {
  const arn = bucketArn(bucket);
  if (method === 'PUT') {
    const text = (await readSmallBody(request, MAX_POLICY_CHARACTERS * 4)).toString('utf8');
    try {
      parseResourcePolicy(text);
    } catch (error) {
      if (error instanceof MalformedPolicyError) throw new ServiceError('MalformedPolicy', error.message, 400);
      throw error;
    }
    policies.put(arn, text);
    return { status: 204, headers: {} };
  }
  if (method === 'GET') {
    const policy = policies.get(arn);
    if (policy === undefined)
      throw new ServiceError('NoSuchBucketPolicy', 'The bucket policy does not exist', 404, { BucketName: bucket });
    return { status: 200, headers: { 'content-type': 'application/json' }, body: policy };
  }
  if (method === 'DELETE') {
    policies.delete(arn);
    return { status: 204, headers: {} };
  }
  throw new ServiceError('MethodNotAllowed', `${method} is not allowed on ?policy.`, 405);
}

/** The IAM action, resource and condition keys of an S3 request, for another account's bucket policy. */
export function s3Permission(
  method: string,
  bucket: string,
  key: string | undefined,
  query: URLSearchParams,
): { action: string; resource: string; context: Record<string, string> } {
  if (key === undefined) {
    const action =
      method === 'GET' && query.has('location')
        ? 's3:GetBucketLocation'
        : method === 'GET' && query.has('uploads')
          ? 's3:ListBucketMultipartUploads'
          : method === 'GET' || method === 'HEAD'
            ? 's3:ListBucket'
            : method === 'POST' && query.has('delete')
              ? 's3:DeleteObject'
              : `s3:${method}Bucket`;
    return { action, resource: bucketArn(bucket), context: { 's3:prefix': query.get('prefix') ?? '' } };
  }
  const action =
    method === 'GET' || method === 'HEAD'
      ? query.has('uploadId')
        ? 's3:ListMultipartUploadParts'
        : 's3:GetObject'
      : method === 'DELETE'
        ? query.has('uploadId')
          ? 's3:AbortMultipartUpload'
          : 's3:DeleteObject'
        : 's3:PutObject';
  return { action, resource: `${bucketArn(bucket)}/${key}`, context: {} };
}
