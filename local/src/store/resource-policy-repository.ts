import type { Database } from './database.js';

/**
 * Resource-based policies by resource ARN: a model package group's (PutModelPackageGroupPolicy) and an S3
 * bucket's (PutBucketPolicy). The text is kept as given, as AWS returns it.
 */
export class ResourcePolicyRepository {
  constructor(private readonly db: Database) {}

  get(arn: string): string | undefined {
    const row = this.db.prepare('SELECT policy FROM resource_policies WHERE arn = ?').get(arn) as
      { policy: string } | undefined;
    return row?.policy;
  }

  put(arn: string, policy: string): void {
    this.db
      .prepare(
        'INSERT INTO resource_policies (arn, policy, modified_at) VALUES (?, ?, ?) ON CONFLICT (arn) DO UPDATE SET policy = excluded.policy, modified_at = excluded.modified_at',
      )
      .run(arn, policy, Date.now());
  }

  /** True when there was one. */
  delete(arn: string): boolean {
    return this.db.prepare('DELETE FROM resource_policies WHERE arn = ?').run(arn).changes > 0;
  }
}
