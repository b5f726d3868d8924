/**
 * The AWS Deep Learning Container images for PyTorch: registry account per commercial region (the same for
 * every version listed) and, per framework version, its Python version and the scopes it has images for, from
 * the SageMaker Python SDK's `image_uri_config/pytorch.json` (v2.257). Image: `<account>.dkr.ecr.<region>.
 * amazonaws.com/pytorch-<training|inference>:<version as given>-<cpu|gpu>-<py>`.
 */
export const PYTORCH_REPOSITORIES = { training: 'pytorch-training', inference: 'pytorch-inference' } as const;

const BOTH = ['training', 'inference'] as const;
const TRAINING_ONLY = ['training'] as const;

export const PYTORCH_VERSIONS: Readonly<
  Record<string, { readonly python: string; readonly scopes: readonly ('training' | 'inference')[] }>
> = {
  '2.1.0': { python: 'py310', scopes: BOTH },
  '2.2.0': { python: 'py310', scopes: BOTH },
  '2.3.0': { python: 'py311', scopes: BOTH },
  '2.4.0': { python: 'py311', scopes: BOTH },
  '2.5.1': { python: 'py311', scopes: BOTH },
  '2.6.0': { python: 'py312', scopes: BOTH },
  '2.7.1': { python: 'py312', scopes: TRAINING_ONLY },
  '2.8.0': { python: 'py312', scopes: TRAINING_ONLY },
};

/** Short versions the SDK accepts, and the full version each stands for. */
export const PYTORCH_VERSION_ALIASES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.keys(PYTORCH_VERSIONS).map((version) => [version.split('.').slice(0, 2).join('.'), version]),
);

export const PYTORCH_ACCOUNTS: Readonly<Record<string, string>> = {
  'af-south-1': '626614931356',
  'ap-east-1': '871362719292',
  'ap-east-2': '975050140332',
  'ap-northeast-1': '763104351884',
  'ap-northeast-2': '763104351884',
  'ap-northeast-3': '364406365360',
  'ap-south-1': '763104351884',
  'ap-south-2': '772153158452',
  'ap-southeast-1': '763104351884',
  'ap-southeast-2': '763104351884',
  'ap-southeast-3': '907027046896',
  'ap-southeast-4': '457447274322',
  'ap-southeast-5': '550225433462',
  'ap-southeast-6': '633930458069',
  'ap-southeast-7': '590183813437',
  'ca-central-1': '763104351884',
  'ca-west-1': '204538143572',
  'eu-central-1': '763104351884',
  'eu-central-2': '380420809688',
  'eu-north-1': '763104351884',
  'eu-south-1': '692866216735',
  'eu-south-2': '503227376785',
  'eu-west-1': '763104351884',
  'eu-west-2': '763104351884',
  'eu-west-3': '763104351884',
  'il-central-1': '780543022126',
  'me-central-1': '914824155844',
  'me-south-1': '217643126080',
  'mx-central-1': '637423239942',
  'sa-east-1': '763104351884',
  'us-east-1': '763104351884',
  'us-east-2': '763104351884',
  'us-west-1': '763104351884',
  'us-west-2': '763104351884',
};
