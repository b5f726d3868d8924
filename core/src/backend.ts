import type { AwsCredentials } from './sigv4.js';

/**
 * Where the SageMaker, S3 and SageMaker Runtime calls go. The code path is the same for both backends; only
 * the client configuration differs (the architecture's "one client code path").
 */
export type Backend =
  | { readonly kind: 'aws'; readonly region: string }
  | {
      readonly kind: 'local';
      readonly region: string;
      /** Base URL of the local server, e.g. `http://127.0.0.1:4566`. */
      readonly endpoint: string;
      /**
       * What the requests are signed with. The local server accepts only its own secret as the secret access
       * key (`server.credentials`, or `credentials` in `<data-dir>/server.json`).
       * @default the SDK's default credential chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles), as
       * for any endpoint override: what a workflow or a user pointing at some endpoint configured
       */
      readonly credentials?: AwsCredentials;
    };

/** The account id the local server uses in the ARNs it issues. */
export const LOCAL_ACCOUNT_ID = '000000000000';

/**
 * The access key id the project's own clients sign with. The local server accepts any id (it is recorded as
 * the caller); only the secret access key, the server's own secret, is checked.
 */
export const LOCAL_ACCESS_KEY_ID = 'slipway-local';

const ACCOUNT_ACCESS_KEY_ID = /^slipway-local-(\d{12})$/;

/**
 * The access key id that makes the local server treat a caller as `accountId`: it emulates several accounts,
 * and a request's account is named by its credentials (the secret stays the server's own, the only proof).
 */
export function localAccessKeyId(accountId: string): string {
  return accountId === LOCAL_ACCOUNT_ID ? LOCAL_ACCESS_KEY_ID : `slipway-local-${accountId}`;
}

/**
 * The account an access key id names on the local server (`slipway-local-<12 digits>`); undefined for any
 * other id: the server's own default account.
 */
export function accountOfLocalAccessKeyId(accessKeyId: string | undefined): string | undefined {
  return (accessKeyId && ACCOUNT_ACCESS_KEY_ID.exec(accessKeyId)?.[1]) || undefined;
}

/** Configuration accepted by every `@aws-sdk/client-*` constructor (structurally typed, no SDK import). */
export interface AwsClientConfig {
  region: string;
  endpoint?: string;
  credentials?: AwsCredentials;
  /** Only read by the S3 client: the local server serves path-style URLs (`/bucket/key`). */
  forcePathStyle?: boolean;
  maxAttempts?: number;
}

export function awsClientConfig(backend: Backend): AwsClientConfig {
  if (backend.kind === 'aws') return { region: backend.region };
  return {
    region: backend.region,
    endpoint: backend.endpoint,
    ...(backend.credentials
      ? {
          credentials: {
            accessKeyId: backend.credentials.accessKeyId,
            secretAccessKey: backend.credentials.secretAccessKey,
          },
        }
      : {}),
    forcePathStyle: true,
  };
}
