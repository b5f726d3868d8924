/**
 * The JSON the console's API answers with, shared by the server (which builds it from SageMaker's own
 * responses) and the page (which draws it). Types only: the page imports nothing else from the server, so
 * the few shapes another package owns (the DAG's nodes and edges: build-pipeline's `pipelineGraph`; a stage's
 * status: deploy-pipeline's `deployStatus`) are restated here and held to the owner's by assignment in the
 * API code that returns them. Times are ISO-8601 strings, durations milliseconds.
 */

export type ConsoleMode = 'local' | 'aws';

/** What the page may offer: every action the server would refuse is hidden or disabled. */
export interface ConsolePermissions {
  /** Start, stop and retry pipeline executions. */
  readonly execute: boolean;
  /** Approve or reject model versions (UpdateModelPackage). */
  readonly approve: boolean;
  /** Open the production gate of the run waiting for promotion. */
  readonly promote: boolean;
  /** Send requests to endpoints from the invoke form. */
  readonly invoke: boolean;
}

export interface ConsoleInfo {
  readonly mode: ConsoleMode;
  readonly region: string;
  readonly permissions: ConsolePermissions;
  readonly project?: ProjectView;
  /** `events`: the server pushes changes as they happen; `refresh`: it asks AWS again every `refreshSeconds`. */
  readonly live: 'events' | 'refresh';
  readonly refreshSeconds?: number;
  /** What only the local server keeps: SageMaker has no API for these. */
  readonly features: {
    readonly approvalHistory: boolean;
    readonly jobLogs: boolean;
    readonly deployRuns: boolean;
    readonly invocationLatency: boolean;
  };
}

export interface ProjectView {
  readonly projectName: string;
  readonly pipelineName: string;
  readonly modelPackageGroupName: string;
  readonly stages: readonly string[];
  /** `OWNER/REPO` when the project is on GitHub. */
  readonly githubRepository?: string;
}

/** Where a run came from: the pipeline's SourceRevision/SourceRepository/SourceRunUrl parameters. */
export interface SourceView {
  readonly revision?: string;
  readonly repository?: string;
  readonly runUrl?: string;
  /** The commit's page, when the repository is on GitHub. */
  readonly commitUrl?: string;
}

export interface PipelineListItem {
  readonly name: string;
  readonly arn: string;
  readonly displayName?: string;
  readonly description?: string;
  readonly created?: string;
  readonly lastModified?: string;
  readonly lastExecution?: { readonly arn: string; readonly status: string; readonly started?: string };
}

export type ParameterType = 'String' | 'Integer' | 'Float' | 'Boolean';

export interface ParameterDeclaration {
  readonly name: string;
  readonly type: ParameterType;
  readonly defaultValue?: string;
  readonly enumValues?: readonly string[];
}

export interface PipelineVersionItem {
  readonly version: number;
  readonly created?: string;
  readonly displayName?: string;
  readonly description?: string;
  readonly lastExecutionArn?: string;
}

export interface ExecutionListItem {
  readonly arn: string;
  readonly displayName?: string;
  readonly status: string;
  readonly started?: string;
  readonly ended?: string;
  readonly durationMs?: number;
  readonly failureReason?: string;
  readonly version?: number;
  readonly createdBy?: string;
  readonly parameters: Readonly<Record<string, string>>;
  readonly source?: SourceView;
}

export interface PipelineView {
  readonly pipeline: PipelineListItem & { readonly roleArn?: string };
  readonly versions: readonly PipelineVersionItem[];
  readonly executions: readonly ExecutionListItem[];
  /** The parameters the latest version declares: what the start form asks for. */
  readonly parameters: readonly ParameterDeclaration[];
}

export interface GraphNodeView {
  readonly name: string;
  readonly type: string;
  /** Set for a step inside a condition's branch. */
  readonly branch?: { readonly condition: string; readonly outcome: 'if' | 'else' };
}

export interface GraphEdgeView {
  readonly from: string;
  readonly to: string;
  readonly label?: 'if' | 'else';
}

/** A step's state; `NotRun` for a step the execution never started (a branch not taken, or after a failure). */
export type StepState = 'Starting' | 'Executing' | 'Stopping' | 'Stopped' | 'Failed' | 'Succeeded' | 'NotRun';

export interface StepView {
  readonly name: string;
  readonly type: string;
  readonly status: StepState;
  readonly started?: string;
  readonly ended?: string;
  readonly durationMs?: number;
  readonly attempts?: number;
  readonly failureReason?: string;
  /** The execution whose result this step reused. */
  readonly cacheHitFrom?: string;
  /** A condition step's outcome. */
  readonly outcome?: 'True' | 'False';
  readonly job?: { readonly kind: 'Processing' | 'Training'; readonly name: string; readonly arn: string };
  readonly modelPackageArn?: string;
  readonly modelArn?: string;
}

export interface ExecutionView {
  readonly pipelineName: string;
  readonly execution: ExecutionListItem & { readonly description?: string };
  readonly graph: { readonly nodes: readonly GraphNodeView[]; readonly edges: readonly GraphEdgeView[] };
  readonly steps: readonly StepView[];
  /** Why the steps' states are not known (a service without ListPipelineExecutionSteps). */
  readonly note?: string;
}

export interface S3Link {
  readonly name: string;
  readonly uri: string;
}

export interface StepDetailView {
  readonly step: StepView;
  /** The step's arguments as the job ran them (every expression resolved), else as the definition has them. */
  readonly arguments?: unknown;
  readonly argumentsResolved: boolean;
  readonly inputs: readonly S3Link[];
  readonly outputs: readonly S3Link[];
  /** What `Get Steps.<name>.…` reads: the job's Describe response. */
  readonly properties?: unknown;
  readonly metrics?: readonly { readonly name: string; readonly value: number }[];
  /** The job log: streamed by the server (local), or where CloudWatch keeps it (AWS). */
  readonly log?: { readonly stream: boolean; readonly where?: string };
}

export interface CompareView {
  readonly executions: readonly [ExecutionListItem, ExecutionListItem];
  readonly parameters: readonly {
    readonly name: string;
    readonly values: readonly [string | undefined, string | undefined];
  }[];
  readonly steps: readonly {
    readonly name: string;
    readonly status: readonly [StepState, StepState];
    readonly durationMs: readonly [number | undefined, number | undefined];
    readonly cacheHit: readonly [boolean, boolean];
  }[];
  readonly metrics: readonly {
    readonly name: string;
    readonly values: readonly [number | undefined, number | undefined];
  }[];
}

export interface ModelGroupItem {
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  readonly created?: string;
}

export interface ModelVersionItem {
  readonly arn: string;
  readonly groupName: string;
  readonly version: number;
  readonly approvalStatus: string;
  readonly status?: string;
  readonly created?: string;
  readonly description?: string;
  /** Headline metrics from the evaluation report (accuracy, weighted precision/recall/F1). */
  readonly metrics: Readonly<Record<string, number>>;
  readonly executionArn?: string;
  readonly source?: SourceView;
}

export interface ModelGroupView {
  readonly group: ModelGroupItem;
  readonly versions: readonly ModelVersionItem[];
  readonly metricNames: readonly string[];
}

export interface EvaluationView {
  readonly uri: string;
  readonly problem?: string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly perClass: readonly {
    readonly label: string;
    readonly precision?: number;
    readonly recall?: number;
    readonly f1?: number;
  }[];
  /** rows[actual][predicted] = count, in `labels` order. */
  readonly confusion?: { readonly labels: readonly string[]; readonly rows: readonly (readonly number[])[] };
}

export interface ApprovalEntry {
  readonly previousStatus?: string;
  readonly newStatus: string;
  readonly actor: string;
  readonly description?: string;
  readonly time?: string;
}

export interface ModelVersionView {
  readonly version: ModelVersionItem & {
    readonly approvalDescription?: string;
    readonly lastModified?: string;
    readonly lastModifiedBy?: string;
  };
  readonly evaluation?: EvaluationView;
  readonly inferenceSpecification?: unknown;
  readonly lineage: {
    readonly executionArn?: string;
    readonly pipelineName?: string;
    readonly modelDataUrl?: string;
    readonly image?: string;
    readonly source?: SourceView;
  };
  readonly history: readonly ApprovalEntry[];
  /** False on AWS: SageMaker keeps only the current status; CloudTrail has the rest. */
  readonly historyComplete: boolean;
  /** The stages whose endpoints serve this version now. */
  readonly servedBy: readonly string[];
}

export interface DeployJobView {
  readonly name: string;
  readonly status: string;
  readonly conclusion?: string;
  readonly started?: string;
  readonly completed?: string;
  readonly message?: string;
}

export interface DeployRunView {
  readonly number: number;
  readonly trigger: string;
  readonly status: string;
  readonly conclusion?: string;
  readonly created: string;
  readonly completed?: string;
  readonly modelPackageArn?: string;
  /** A rollback: the rejected version this run replaces. */
  readonly replaces?: string;
  readonly jobs: readonly DeployJobView[];
}

export interface StageView {
  readonly stage: string;
  readonly endpointName: string;
  readonly endpointStatus?: string;
  readonly modelPackageArn?: string;
  readonly version?: number;
  readonly failureReason?: string;
}

export interface DeploymentsView {
  readonly stages: readonly StageView[];
  /** Local deploy runs, newest first; empty on AWS (GitHub keeps them: `runsUrl`). */
  readonly runs: readonly DeployRunView[];
  readonly waiting?: number;
  readonly runsUrl?: string;
  /** Why there is nothing to show (no project config, ...). */
  readonly note?: string;
}

export interface EndpointListItem {
  readonly name: string;
  readonly arn: string;
  readonly status: string;
  readonly created?: string;
  readonly modified?: string;
  readonly failureReason?: string;
  readonly stage?: string;
}

export interface VariantView {
  readonly name: string;
  readonly weight?: number;
  readonly instances?: number;
  readonly instanceType?: string;
  readonly modelName?: string;
  readonly modelPackageArn?: string;
  readonly version?: number;
  readonly image?: string;
}

export interface LatencyPoint {
  readonly at: string;
  readonly ms: number;
  readonly status: number;
  readonly variant?: string;
}

export interface CapturedInvocation {
  readonly at: string;
  readonly variant: string;
  readonly input?: string;
  readonly output?: string;
}

export interface EndpointView {
  readonly endpoint: EndpointListItem & { readonly configName?: string };
  readonly variants: readonly VariantView[];
  /** Recent invocations with their latency (local); absent on AWS, where CloudWatch has them. */
  readonly latency?: readonly LatencyPoint[];
  readonly latencyNote?: string;
  /** The newest captured requests and answers (data capture), newest first. */
  readonly captured: readonly CapturedInvocation[];
  readonly captureUri?: string;
  readonly samples: readonly string[];
}

export interface ObjectPreview {
  readonly uri: string;
  readonly contentType?: string;
  readonly size?: number;
  readonly kind: 'csv' | 'json' | 'text' | 'binary' | 'listing';
  /** The first bytes as text (`truncated` when there is more). */
  readonly text?: string;
  readonly truncated: boolean;
  /** For a prefix: the objects under it. */
  readonly objects?: readonly { readonly uri: string; readonly size?: number }[];
}

/** Every error the API answers with. */
export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

/** What the event stream says: which views to read again. */
/**
 * The monitoring page: what `slipway monitor status` prints, from the same reader (deploy-pipeline's
 * `readMonitorStatus`: the drift reports in the artifact bucket and the retrain ledger).
 */
export interface MonitoringView {
  readonly endpoints: readonly string[];
  /** Each endpoint's newest checks, newest first. */
  readonly checks: readonly DriftCheckView[];
  /** The retrains drift started, oldest first. */
  readonly retrains: readonly RetrainView[];
  /** Where the retrains were read from (a file locally, an S3 URI on AWS). */
  readonly retrainLedger: string;
  /** Why there is nothing to show (no project config). */
  readonly note?: string;
}

export interface DriftCheckView {
  readonly endpointName: string;
  readonly checkId: string;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly itemCount: number;
  /** The statistics that drifted (the violations). */
  readonly drifted: readonly string[];
  readonly features: readonly DriftStatisticView[];
  readonly reportS3Uri: string;
}

/** One statistic against its baseline, as drift_report.json gives it. */
export interface DriftStatisticView {
  readonly feature_name: string;
  readonly comparison_method: string;
  readonly distance: number;
  readonly threshold: number;
  readonly compared: boolean;
  readonly drifted: boolean;
  readonly baseline: Readonly<Record<string, unknown>>;
  readonly window: Readonly<Record<string, unknown>>;
}

export interface RetrainView {
  readonly endpointName: string;
  readonly checkId: string;
  readonly eventId: string;
  readonly modelPackageArn: string;
  readonly startedAt: string;
  readonly outcome?: string;
}

export type LiveTopic =
  | { readonly topic: 'pipelines' }
  | { readonly topic: 'pipeline'; readonly name: string }
  | { readonly topic: 'execution'; readonly arn: string }
  | { readonly topic: 'registry' }
  | { readonly topic: 'endpoints' }
  | { readonly topic: 'endpoint'; readonly name: string }
  | { readonly topic: 'deployments' }
  /** The retrain ledger changed (local: a drift dispatch was admitted or a retrain ended). */
  | { readonly topic: 'monitoring' }
  | { readonly topic: 'refresh' };

/** The header every state-changing request must carry (with a same-origin `Origin`). */
export const CSRF_HEADER = 'x-slipway-studio';
