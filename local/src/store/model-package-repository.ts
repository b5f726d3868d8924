import type { ChangeFeed } from './change-feed.js';
import type { Database } from './database.js';
import { optional } from './database.js';
import { KeysetReader, type KeysetPage, type KeysetQuery, type SqlValue } from './keyset.js';
import type { Tag } from './pipeline-repository.js';

export type ModelApprovalStatus = 'Approved' | 'Rejected' | 'PendingManualApproval';
export const MODEL_APPROVAL_STATUSES: readonly ModelApprovalStatus[] = [
  'Approved',
  'Rejected',
  'PendingManualApproval',
];

export interface ModelPackageGroupRecord {
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  readonly tags: readonly Tag[];
  readonly createdAt: Date;
  readonly createdBy: string;
}

export interface ModelPackageRecord {
  readonly arn: string;
  readonly groupName: string;
  readonly version: number;
  readonly approvalStatus: ModelApprovalStatus;
  readonly description?: string;
  /**
   * The package's other members under their API names, stored as given after expression resolution:
   * InferenceSpecification, ModelMetrics, MetadataProperties, CustomerMetadataProperties, ApprovalDescription…
   */
  readonly details: Readonly<Record<string, unknown>>;
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly modifiedAt: Date;
  readonly modifiedBy: string;
}

/** One entry of the append-only approval history (the database refuses updates and deletes). */
export interface ApprovalChange {
  readonly packageArn: string;
  readonly previousStatus?: ModelApprovalStatus;
  readonly newStatus: ModelApprovalStatus;
  readonly actor: string;
  readonly description?: string;
  readonly at: Date;
}

/** ListModelPackages' filters and order, and where the page starts. */
export interface ModelPackageListQuery {
  /** The group's stored name (as `group()` returns it). */
  readonly groupName?: string;
  readonly approvalStatus?: ModelApprovalStatus;
  /** A substring of the group name (case-sensitive). */
  readonly nameContains?: string;
  readonly createdAfter?: Date;
  readonly createdBefore?: Date;
  readonly sortBy: 'CreationTime' | 'Name';
  readonly descending: boolean;
  /** `next` of the previous page. */
  readonly after?: readonly SqlValue[];
  readonly limit: number;
}

/** The members of `details` a summary carries (ListModelPackages' ModelPackageSummary). */
const SUMMARY_DETAILS = ['ModelLifeCycle', 'ModelPackageRegistrationType'] as const;

interface GroupRow {
  name: string;
  arn: string;
  description: string | null;
  tags: string;
  created_at: number;
  created_by: string;
}

interface PackageRow {
  arn: string;
  group_name: string;
  version: number;
  approval_status: ModelApprovalStatus;
  description: string | null;
  record: string;
  created_at: number;
  created_by: string;
  modified_at: number;
  modified_by: string;
}

interface HistoryRow {
  package_arn: string;
  previous_status: ModelApprovalStatus | null;
  new_status: ModelApprovalStatus;
  actor: string;
  description: string | null;
  at: number;
}

export class ModelPackageRepository {
  private readonly keyset: KeysetReader;

  constructor(
    private readonly db: Database,
    private readonly changes: ChangeFeed,
  ) {
    this.keyset = new KeysetReader(db);
  }

  insertGroup(group: ModelPackageGroupRecord): void {
    this.db
      .prepare(
        'INSERT INTO model_package_groups (name, arn, description, tags, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        group.name,
        group.arn,
        group.description ?? null,
        JSON.stringify(group.tags),
        group.createdAt.getTime(),
        group.createdBy,
      );
    this.changes.notify({ kind: 'model-package', groupName: group.name });
  }

  /** Group names are unique ignoring case (SageMaker lowercases them in ARNs). */
  group(nameOrArn: string): ModelPackageGroupRecord | undefined {
    const row = this.db
      .prepare<[string, string], GroupRow>('SELECT * FROM model_package_groups WHERE name = ? OR arn = ?')
      .get(nameOrArn, nameOrArn);
    return row ? groupFromRow(row) : undefined;
  }

  groups(): ModelPackageGroupRecord[] {
    return this.db.prepare<[], GroupRow>('SELECT * FROM model_package_groups').all().map(groupFromRow);
  }

  nextVersion(groupName: string): number {
    const row = this.db
      .prepare<[string], { v: number | null }>('SELECT MAX(version) AS v FROM model_packages WHERE group_name = ?')
      .get(groupName);
    return (row?.v ?? 0) + 1;
  }

  insertPackage(record: ModelPackageRecord): void {
    this.db
      .prepare(
        `INSERT INTO model_packages (arn, group_name, version, approval_status, description, record, created_at,
           created_by, modified_at, modified_by)
         VALUES (@arn, @group_name, @version, @approval_status, @description, @record, @created_at, @created_by,
           @modified_at, @modified_by)`,
      )
      .run(toPackageRow(record));
    this.changes.notify({ kind: 'model-package', arn: record.arn, groupName: record.groupName });
  }

  updatePackage(record: ModelPackageRecord): void {
    this.db
      .prepare(
        `UPDATE model_packages SET approval_status = @approval_status, description = @description, record = @record,
           modified_at = @modified_at, modified_by = @modified_by WHERE arn = @arn`,
      )
      .run(toPackageRow(record));
    this.changes.notify({ kind: 'model-package', arn: record.arn, groupName: record.groupName });
  }

  package(arn: string): ModelPackageRecord | undefined {
    const row = this.db.prepare<[string], PackageRow>('SELECT * FROM model_packages WHERE arn = ?').get(arn);
    return row ? packageFromRow(row) : undefined;
  }

  /**
   * One page of versions for ListModelPackages, through an index whatever the filters: records whose
   * `details` hold only the summary's members (the stored document is not decoded).
   */
  summaries(query: ModelPackageListQuery): KeysetPage<ModelPackageRecord> {
    const page = this.keyset.page<SummaryRow>(summaryQuery(query));
    return { ...page, rows: page.rows.map(summaryFromRow) };
  }

  /** SQLite's plan for `summaries(query)` (tests hold it to an index). */
  summariesPlan(query: ModelPackageListQuery): string[] {
    return this.keyset.plan(summaryQuery(query));
  }

  appendHistory(change: ApprovalChange): void {
    this.db
      .prepare(
        'INSERT INTO approval_history (package_arn, previous_status, new_status, actor, description, at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        change.packageArn,
        change.previousStatus ?? null,
        change.newStatus,
        change.actor,
        change.description ?? null,
        change.at.getTime(),
      );
  }

  history(packageArn: string): ApprovalChange[] {
    return this.db
      .prepare<[string], HistoryRow>('SELECT * FROM approval_history WHERE package_arn = ? ORDER BY id')
      .all(packageArn)
      .map((row) => ({
        packageArn: row.package_arn,
        ...optional('previousStatus', row.previous_status),
        newStatus: row.new_status,
        actor: row.actor,
        ...optional('description', row.description),
        at: new Date(row.at),
      }));
  }
}

type SummaryRow = Omit<PackageRow, 'record'> & { summary: string };

function summaryQuery(query: ModelPackageListQuery): KeysetQuery {
  const where: string[] = [];
  const params: SqlValue[] = [];
  const when = (condition: string, value: SqlValue | undefined) => {
    if (value === undefined) return;
    where.push(condition);
    params.push(value);
  };
  when('group_name = ?', query.groupName);
  when('approval_status = ?', query.approvalStatus);
  when('instr(group_name, ?) > 0', query.nameContains || undefined);
  when('created_at > ?', query.createdAfter?.getTime());
  when('created_at < ?', query.createdBefore?.getTime());
  // Within one group the name is the same for every row: both orders are by time, then version.
  const order =
    query.groupName !== undefined
      ? ['created_at', 'version']
      : query.sortBy === 'Name'
        ? ['group_name', 'created_at', 'version']
        : ['created_at', 'group_name', 'version'];
  return {
    select:
      'arn, group_name, version, approval_status, description, created_at, created_by, modified_at, modified_by, ' +
      // With several paths json_extract answers a JSON array of their values: only these are decoded.
      `json_extract(record, ${SUMMARY_DETAILS.map((member) => `'$.${member}'`).join(', ')}) AS summary`,
    from: 'model_packages',
    where,
    params,
    order,
    descending: query.descending,
    ...(query.after ? { after: query.after } : {}),
    limit: query.limit,
  };
}

function summaryFromRow(row: SummaryRow): ModelPackageRecord {
  const values = JSON.parse(row.summary) as unknown[];
  const details = Object.fromEntries(
    SUMMARY_DETAILS.map((member, index) => [member, values[index]]).filter(([, value]) => value !== null),
  );
  return packageFromRow(row, details);
}

function groupFromRow(row: GroupRow): ModelPackageGroupRecord {
  return {
    name: row.name,
    arn: row.arn,
    ...optional('description', row.description),
    tags: JSON.parse(row.tags) as Tag[],
    createdAt: new Date(row.created_at),
    createdBy: row.created_by,
  };
}

function toPackageRow(record: ModelPackageRecord): PackageRow {
  return {
    arn: record.arn,
    group_name: record.groupName,
    version: record.version,
    approval_status: record.approvalStatus,
    description: record.description ?? null,
    record: JSON.stringify(record.details),
    created_at: record.createdAt.getTime(),
    created_by: record.createdBy,
    modified_at: record.modifiedAt.getTime(),
    modified_by: record.modifiedBy,
  };
}

function packageFromRow(
  row: Omit<PackageRow, 'record'> & { record?: string },
  details = JSON.parse(row.record ?? '{}') as Record<string, unknown>,
): ModelPackageRecord {
  return {
    arn: row.arn,
    groupName: row.group_name,
    version: row.version,
    approvalStatus: row.approval_status,
    ...optional('description', row.description),
    details,
    createdAt: new Date(row.created_at),
    createdBy: row.created_by,
    modifiedAt: new Date(row.modified_at),
    modifiedBy: row.modified_by,
  };
}
