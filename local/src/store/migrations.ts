/**
 * The schema, as an append-only list: migration N brings a database at user_version N to N+1. Never edit a
 * shipped migration; add one. Times are epoch milliseconds; structured fields are JSON text. Job, model
 * and group names compare without case: SageMaker lowercases them in ARNs, and clients read names back
 * from ARNs.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE pipelines (
    name TEXT PRIMARY KEY,
    arn TEXT NOT NULL UNIQUE,
    display_name TEXT,
    description TEXT,
    role_arn TEXT,
    parallelism INTEGER,
    tags TEXT NOT NULL DEFAULT '[]',
    latest_version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    modified_at INTEGER NOT NULL,
    modified_by TEXT NOT NULL,
    last_run_at INTEGER
  );
  CREATE TABLE pipeline_versions (
    pipeline_name TEXT NOT NULL REFERENCES pipelines(name) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    definition TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (pipeline_name, version)
  );
  CREATE TABLE executions (
    arn TEXT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    pipeline_name TEXT NOT NULL,
    pipeline_arn TEXT NOT NULL,
    version INTEGER NOT NULL,
    definition TEXT NOT NULL,
    status TEXT NOT NULL,
    display_name TEXT,
    description TEXT,
    failure_reason TEXT,
    parameters TEXT NOT NULL,
    parallelism INTEGER,
    experiment TEXT,
    client_token TEXT NOT NULL,
    stop_token TEXT,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    modified_at INTEGER NOT NULL,
    ended_at INTEGER,
    UNIQUE (pipeline_name, client_token)
  );
  CREATE INDEX executions_by_pipeline ON executions (pipeline_name, created_at);
  CREATE INDEX executions_by_status ON executions (status);
  CREATE TABLE execution_steps (
    execution_arn TEXT NOT NULL REFERENCES executions(arn) ON DELETE CASCADE,
    step_name TEXT NOT NULL,
    seq INTEGER NOT NULL,
    step_type TEXT NOT NULL,
    status TEXT NOT NULL,
    display_name TEXT,
    description TEXT,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    failure_reason TEXT,
    attempt_count INTEGER NOT NULL DEFAULT 0,
    metadata TEXT,
    cache_source TEXT,
    properties TEXT,
    PRIMARY KEY (execution_arn, step_name)
  );
  CREATE TABLE jobs (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    kind TEXT NOT NULL,
    arn TEXT NOT NULL,
    execution_arn TEXT,
    step_name TEXT,
    request TEXT NOT NULL,
    status TEXT NOT NULL,
    failure_reason TEXT,
    exit_message TEXT,
    model_artifacts TEXT,
    metrics TEXT,
    log_file TEXT,
    work_dir TEXT,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    ended_at INTEGER,
    modified_at INTEGER NOT NULL
  );
  CREATE INDEX jobs_by_status ON jobs (status);
  CREATE TABLE models (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    arn TEXT NOT NULL,
    request TEXT NOT NULL,
    execution_arn TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE model_package_groups (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    arn TEXT NOT NULL UNIQUE,
    description TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL
  );
  CREATE TABLE model_packages (
    arn TEXT PRIMARY KEY,
    group_name TEXT NOT NULL REFERENCES model_package_groups(name),
    version INTEGER NOT NULL,
    approval_status TEXT NOT NULL,
    description TEXT,
    record TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    modified_at INTEGER NOT NULL,
    modified_by TEXT NOT NULL,
    UNIQUE (group_name, version)
  );
  CREATE TABLE approval_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    package_arn TEXT NOT NULL REFERENCES model_packages(arn),
    previous_status TEXT,
    new_status TEXT NOT NULL,
    actor TEXT NOT NULL,
    description TEXT,
    at INTEGER NOT NULL
  );
  CREATE TRIGGER approval_history_is_append_only_update BEFORE UPDATE ON approval_history
    BEGIN SELECT RAISE(ABORT, 'approval_history is append-only'); END;
  CREATE TRIGGER approval_history_is_append_only_delete BEFORE DELETE ON approval_history
    BEGIN SELECT RAISE(ABORT, 'approval_history is append-only'); END;
  CREATE TABLE cache_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pipeline_name TEXT NOT NULL,
    cache_key TEXT NOT NULL,
    step_type TEXT NOT NULL,
    execution_arn TEXT NOT NULL,
    step_name TEXT NOT NULL,
    properties TEXT NOT NULL,
    metadata TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX cache_lookup ON cache_entries (pipeline_name, cache_key, created_at);
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    routed INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX events_unrouted ON events (routed, seq);
  CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL REFERENCES events(id),
    rule_name TEXT NOT NULL,
    target_id TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    updated_at INTEGER NOT NULL,
    UNIQUE (event_id, rule_name, target_id)
  );
  CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
  CREATE TABLE event_rules (
    name TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  `,
  // 2: endpoints. Models created through the API carry tags; endpoint configs are immutable requests; an
  // endpoint keeps a snapshot of what it serves (and of a deployment in progress), so deleting its config
  // or models later never changes what runs.
  `
  ALTER TABLE models ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
  CREATE TABLE endpoint_configs (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    arn TEXT NOT NULL,
    request TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL
  );
  CREATE TABLE endpoints (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    arn TEXT NOT NULL,
    config_name TEXT NOT NULL,
    status TEXT NOT NULL,
    failure_reason TEXT,
    serving TEXT,
    pending TEXT,
    deployment_config TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    modified_at INTEGER NOT NULL
  );
  `,
  // 3: listings read pages by key through an index (keyset pagination), so their cost does not grow with the
  // registry or the execution history. The last column(s) of each index tell rows apart.
  `
  CREATE INDEX model_packages_by_group_time ON model_packages (group_name, created_at, version);
  CREATE INDEX model_packages_by_group_status_time ON model_packages (group_name, approval_status, created_at, version);
  CREATE INDEX model_packages_by_time ON model_packages (created_at, group_name, version);
  DROP INDEX executions_by_pipeline;
  CREATE INDEX executions_by_pipeline_time ON executions (pipeline_name, created_at, arn);
  CREATE INDEX executions_by_pipeline_arn ON executions (pipeline_name, arn);
  CREATE INDEX execution_steps_by_seq ON execution_steps (execution_arn, seq);
  `,
  // 4: jobs outside pipelines and their families. A tuning job's training jobs name it (parent_job); a job's
  // kind-specific outcome (a tuning job's best training job and counters) is JSON in details; List*Jobs reads
  // by kind and creation time.
  `
  ALTER TABLE jobs ADD COLUMN parent_job TEXT;
  ALTER TABLE jobs ADD COLUMN details TEXT;
  ALTER TABLE jobs ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
  CREATE INDEX jobs_by_kind ON jobs (kind, created_at);
  CREATE INDEX jobs_by_parent ON jobs (parent_job);
  `,
  // 5: the object store's index. Objects live in files named by random ids (s3-data/); which key names which
  // file, and everything S3 reports about an object, is here, so no key can collide with another or with
  // metadata. Keys are UTF-8 BLOBs: SQLite compares them bytewise, which is S3's list order. An object is
  // one or more segments (a multipart upload's parts, in order), each a file.
  `
  CREATE TABLE s3_buckets (
    name TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE s3_objects (
    bucket TEXT NOT NULL REFERENCES s3_buckets(name),
    key BLOB NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT NOT NULL,
    content_type TEXT NOT NULL,
    headers TEXT NOT NULL DEFAULT '{}',
    metadata TEXT NOT NULL DEFAULT '{}',
    checksum TEXT,
    segments TEXT NOT NULL,
    part_count INTEGER,
    last_modified INTEGER NOT NULL,
    PRIMARY KEY (bucket, key)
  ) WITHOUT ROWID;
  CREATE TABLE s3_uploads (
    id TEXT PRIMARY KEY,
    bucket TEXT NOT NULL REFERENCES s3_buckets(name),
    key BLOB NOT NULL,
    content_type TEXT NOT NULL,
    headers TEXT NOT NULL DEFAULT '{}',
    metadata TEXT NOT NULL DEFAULT '{}',
    checksum_algorithm TEXT,
    checksum_type TEXT,
    initiated_at INTEGER NOT NULL
  );
  CREATE INDEX s3_uploads_by_key ON s3_uploads (bucket, key, initiated_at);
  CREATE TABLE s3_parts (
    upload_id TEXT NOT NULL REFERENCES s3_uploads(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT NOT NULL,
    checksum TEXT,
    blob TEXT NOT NULL,
    last_modified INTEGER NOT NULL,
    PRIMARY KEY (upload_id, number)
  ) WITHOUT ROWID;
  `,
  // Resource-based policies (model package groups, S3 buckets), by resource ARN: cross-account access.
  `
  CREATE TABLE resource_policies (
    arn TEXT PRIMARY KEY,
    policy TEXT NOT NULL,
    modified_at INTEGER NOT NULL
  );
  `,
];
