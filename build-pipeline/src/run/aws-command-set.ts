// Every AWS SDK command the run sends (and the SDK's paginators over them); imported only through `awsCommands()` (aws-commands.ts says why).
export {
  CreateModelPackageGroupCommand,
  CreatePipelineCommand,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  DescribePipelineExecutionCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  ListModelPackagesCommand,
  ListPipelineExecutionStepsCommand,
  StartPipelineExecutionCommand,
  UpdateModelPackageCommand,
  UpdatePipelineCommand,
  paginateListPipelineExecutionSteps,
} from '@aws-sdk/client-sagemaker';
export {
  CreateBucketCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
