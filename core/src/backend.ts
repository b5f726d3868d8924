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
    };

/** The account id the local server uses in the ARNs it issues. */
export const LOCAL_ACCOUNT_ID = '000000000000';

/** Fixed credentials for the local server: it accepts any signature, and the SDK insists on having some. */
export const LOCAL_CREDENTIALS = Object.freeze({ accessKeyId: 'slipway-local', secretAccessKey: 'slipway-local' });

/** Configuration accepted by every `@aws-sdk/client-*` constructor (structurally typed, no SDK import). */
export interface AwsClientConfig {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Only read by the S3 client: the local server serves path-style URLs (`/bucket/key`). */
  forcePathStyle?: boolean;
  maxAttempts?: number;
}

export function awsClientConfig(backend: Backend): AwsClientConfig {
  if (backend.kind === 'aws') return { region: backend.region };
  return {
    region: backend.region,
    endpoint: backend.endpoint,
    credentials: { ...LOCAL_CREDENTIALS },
    forcePathStyle: true,
  };
}
