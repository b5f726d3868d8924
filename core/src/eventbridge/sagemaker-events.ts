/**
 * The source and detail-types of the SageMaker events Slipway emits (the local server) and routes (the
 * approval rule), as EventBridge spells them.
 */
export const SAGEMAKER_SOURCE = 'aws.sagemaker';
export const MODEL_PACKAGE_STATE_CHANGE = 'SageMaker Model Package State Change';
export const PIPELINE_EXECUTION_STATUS_CHANGE = 'SageMaker Model Building Pipeline Execution Status Change';
