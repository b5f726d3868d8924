/**
 * The SageMaker scikit-learn images: registry account per commercial region and the versions per scope, from
 * the SageMaker Python SDK's `image_uri_config/sklearn.json` (v2.257). Image: `<account>.dkr.ecr.<region>.
 * amazonaws.com/sagemaker-scikit-learn:<version>-cpu-py3`; the images are CPU-only.
 */
export const SKLEARN_REPOSITORY = 'sagemaker-scikit-learn';

export const SKLEARN_VERSIONS = {
  training: ['0.23-1', '1.0-1', '1.2-1', '1.4-2'],
  inference: ['0.23-1', '1.0-1', '1.2-1'],
} as const;

export const SKLEARN_ACCOUNTS: Readonly<Record<string, string>> = {
  'af-south-1': '510948584623',
  'ap-east-1': '651117190479',
  'ap-northeast-1': '354813040037',
  'ap-northeast-2': '366743142698',
  'ap-northeast-3': '867004704886',
  'ap-south-1': '720646828776',
  'ap-south-2': '628508329040',
  'ap-southeast-1': '121021644041',
  'ap-southeast-2': '783357654285',
  'ap-southeast-3': '951798379941',
  'ap-southeast-4': '106583098589',
  'ca-central-1': '341280168497',
  'ca-west-1': '190319476487',
  'eu-central-1': '492215442770',
  'eu-central-2': '680994064768',
  'eu-north-1': '662702820516',
  'eu-south-1': '978288397137',
  'eu-south-2': '104374241257',
  'eu-west-1': '141502667606',
  'eu-west-2': '764974769150',
  'eu-west-3': '659782779980',
  'il-central-1': '898809789911',
  'me-central-1': '272398656194',
  'me-south-1': '801668240914',
  'sa-east-1': '737474898029',
  'us-east-1': '683313688378',
  'us-east-2': '257758044811',
  'us-west-1': '746614075791',
  'us-west-2': '246618743249',
};
