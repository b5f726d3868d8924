import {
  MODEL_CARD_CONTENT_MAX_LENGTH,
  MODEL_CARD_STATUSES,
  MODEL_PACKAGE_MODEL_CARD_SCHEMA,
  NAME_RULES,
  ValidationError,
  checkName,
  describeValue,
  modelPackageArn,
  type ModelCardStatus,
} from '@slipway/core';
import type { EventBus } from '../events/event-bus.js';
import { modelPackageStateChangeEvent } from '../events/sagemaker-events.js';
import { resourceArn, type ArnScope } from '../engine/naming.js';
import { validationException } from '../server/service-error.js';
import type {
  ApprovalChange,
  ModelApprovalStatus,
  ModelPackageGroupRecord,
  ModelPackageRecord,
} from '../store/model-package-repository.js';
import { MODEL_APPROVAL_STATUSES } from '../store/model-package-repository.js';
import type { Tag } from '../store/pipeline-repository.js';
import type { Store } from '../store/store.js';

/** CreateModelPackage members stored with a version as given (after a pipeline resolved its expressions). */
const STORED_MEMBERS = [
  'InferenceSpecification',
  'ModelMetrics',
  'MetadataProperties',
  'CustomerMetadataProperties',
  'DriftCheckBaselines',
  'Domain',
  'Task',
  'SamplePayloadUrl',
  'SkipModelValidation',
  'SourceUri',
  'ModelCard',
  'ModelLifeCycle',
  'AdditionalInferenceSpecifications',
  'Tags',
  'ModelPackageRegistrationType',
  'SecurityConfig',
  'SourceAlgorithmSpecification',
  'ValidationSpecification',
];
const COLUMN_MEMBERS = [
  'ModelPackageGroupName',
  'ModelPackageDescription',
  'ModelApprovalStatus',
  'ClientToken',
  'CertifyForMarketplace',
  'ManagedStorageType',
];

export interface CreatePackageOptions {
  readonly actor: string;
  /**
   * A RegisterModel step creates its group when it does not exist yet (SageMaker project templates rely on
   * this); the CreateModelPackage API does not: it needs an existing group.
   */
  readonly createGroupIfMissing: boolean;
  /** The pipeline execution ARN recorded as MetadataProperties.GeneratedBy. */
  readonly generatedBy?: string;
}

/**
 * The model registry: groups, versions numbered from 1 per group, approval with an append-only history of
 * who changed it and why, and a "Model Package State Change" event (through the outbox, in the same
 * transaction) for every version created or changed.
 */
export class ModelRegistry {
  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly scope: ArnScope,
  ) {}

  createGroup(
    input: { name: unknown; description?: unknown; tags?: readonly Tag[] },
    actor: string,
  ): ModelPackageGroupRecord {
    const name = checkGroupName(input.name, 'ModelPackageGroupName');
    if (input.description !== undefined && (typeof input.description !== 'string' || input.description.length > 1024)) {
      throw validationException(
        `ModelPackageGroupDescription must be a string of at most 1024 characters, got ${describeValue(input.description)}`,
      );
    }
    const existing = this.store.modelPackages.group(name);
    if (existing) throw validationException(`Model Package Group already exists: ${existing.arn}`);
    const group: ModelPackageGroupRecord = {
      name,
      arn: resourceArn(this.scope, 'model-package-group', name),
      ...(typeof input.description === 'string' ? { description: input.description } : {}),
      tags: input.tags ?? [],
      createdAt: new Date(),
      createdBy: actor,
    };
    this.store.modelPackages.insertGroup(group);
    return group;
  }

  group(nameOrArn: string): ModelPackageGroupRecord {
    const group = this.store.modelPackages.group(nameOrArn);
    if (!group) throw validationException(`ModelPackageGroup ${this.groupArnFor(nameOrArn)} does not exist.`);
    return group;
  }

  groups(): ModelPackageGroupRecord[] {
    return this.store.modelPackages.groups();
  }

  /** CreateModelPackage for a versioned package; RegisterModel steps call it with createGroupIfMissing. */
  createPackage(request: Record<string, unknown>, options: CreatePackageOptions): ModelPackageRecord {
    const unknown = Object.keys(request).filter(
      (key) => !STORED_MEMBERS.includes(key) && !COLUMN_MEMBERS.includes(key) && key !== 'ModelPackageName',
    );
    if (unknown.length > 0) {
      throw new ValidationError({
        where: 'CreateModelPackage',
        field: unknown.join(', '),
        problem: 'is not a CreateModelPackage member the local registry knows',
        fix: `use only ${[...COLUMN_MEMBERS, ...STORED_MEMBERS].join(', ')}`,
      });
    }
    if (request['ModelPackageName'] !== undefined) {
      throw validationException(
        'The local registry keeps versioned model packages only: pass ModelPackageGroupName instead of ModelPackageName.',
      );
    }
    if (request['ModelPackageGroupName'] === undefined) {
      throw validationException(
        'ModelPackageGroupName is required: the local registry keeps versioned model packages.',
      );
    }
    const groupReference = String(request['ModelPackageGroupName']);
    const status = (request['ModelApprovalStatus'] ?? 'PendingManualApproval') as ModelApprovalStatus;
    checkApprovalStatus(status);
    const description = optionalText(request, 'ModelPackageDescription', 1024);
    checkInferenceSpecification(request['InferenceSpecification']);
    checkStringMap(request, 'CustomerMetadataProperties');
    checkStringMap(request, 'MetadataProperties');
    checkModelLifeCycle(request['ModelLifeCycle']);
    checkModelCard(request['ModelCard']);
    const details: Record<string, unknown> = {};
    for (const member of STORED_MEMBERS) if (request[member] !== undefined) details[member] = request[member];
    if (options.generatedBy) {
      details['MetadataProperties'] = {
        ...(details['MetadataProperties'] as object | undefined),
        GeneratedBy: options.generatedBy,
      };
    }

    const record = this.store.transaction(() => {
      let group = this.store.modelPackages.group(groupReference);
      if (!group) {
        if (!options.createGroupIfMissing) {
          throw validationException(
            `Model Package Group ${groupReference} does not exist; create it with CreateModelPackageGroup first.`,
          );
        }
        group = this.createGroup({ name: groupReference }, options.actor);
      }
      const version = this.store.modelPackages.nextVersion(group.name);
      const now = new Date();
      const created: ModelPackageRecord = {
        arn: modelPackageArn(this.scope.region, this.scope.accountId, group.name, version),
        groupName: group.name,
        version,
        approvalStatus: status,
        ...(description !== undefined ? { description } : {}),
        details,
        createdAt: now,
        createdBy: options.actor,
        modifiedAt: now,
        modifiedBy: options.actor,
      };
      this.store.modelPackages.insertPackage(created);
      this.store.modelPackages.appendHistory({
        packageArn: created.arn,
        newStatus: status,
        actor: options.actor,
        at: now,
      });
      this.bus.append(modelPackageStateChangeEvent(this.bus, eventInput(created), now));
      return created;
    });
    this.bus.kick();
    return record;
  }

  /** Finds a version by ARN (or `group/version`). */
  package(reference: string): ModelPackageRecord {
    const arn = /^[^:/]+\/\d+$/.test(reference)
      ? modelPackageArn(
          this.scope.region,
          this.scope.accountId,
          reference.split('/')[0]!,
          Number(reference.split('/')[1]),
        )
      : reference;
    const record = this.store.modelPackages.package(arn);
    if (!record) throw validationException(`ModelPackage ${reference} does not exist.`);
    return record;
  }

  /** UpdateModelPackage: approval (recorded in the history), metadata and specification changes. */
  updatePackage(request: Record<string, unknown>, actor: string): ModelPackageRecord {
    const arn = request['ModelPackageArn'];
    if (typeof arn !== 'string') throw validationException('UpdateModelPackage: ModelPackageArn is required');
    const status = request['ModelApprovalStatus'] as ModelApprovalStatus | undefined;
    if (status !== undefined) checkApprovalStatus(status);
    const approvalDescription = optionalText(request, 'ApprovalDescription', 1024);
    checkStringMap(request, 'CustomerMetadataProperties');
    if (request['InferenceSpecification'] !== undefined) checkInferenceSpecification(request['InferenceSpecification']);
    checkModelLifeCycle(request['ModelLifeCycle']);
    checkModelCard(request['ModelCard']);
    const updated = this.store.transaction(() => {
      const current = this.package(arn);
      const details: Record<string, unknown> = { ...current.details };
      if (approvalDescription !== undefined) details['ApprovalDescription'] = approvalDescription;
      const removed = new Set((request['CustomerMetadataPropertiesToRemove'] as string[] | undefined) ?? []);
      const metadata = Object.fromEntries(
        Object.entries({
          ...(details['CustomerMetadataProperties'] as Record<string, string> | undefined),
          ...(request['CustomerMetadataProperties'] as Record<string, string> | undefined),
        }).filter(([key]) => !removed.has(key)),
      );
      if (Object.keys(metadata).length > 0) details['CustomerMetadataProperties'] = metadata;
      else delete details['CustomerMetadataProperties'];
      const additions = request['AdditionalInferenceSpecificationsToAdd'];
      if (Array.isArray(additions)) {
        const all = [...((details['AdditionalInferenceSpecifications'] as unknown[] | undefined) ?? []), ...additions];
        if (all.length > 15)
          throw validationException(
            `A model package may have at most 15 AdditionalInferenceSpecifications, got ${all.length}.`,
          );
        details['AdditionalInferenceSpecifications'] = all;
      }
      for (const member of [
        'InferenceSpecification',
        'SourceUri',
        'ModelCard',
        'ModelLifeCycle',
        'ModelPackageRegistrationType',
      ]) {
        if (request[member] !== undefined) details[member] = request[member];
      }
      const now = new Date();
      const next: ModelPackageRecord = {
        ...current,
        approvalStatus: status ?? current.approvalStatus,
        details,
        modifiedAt: now,
        modifiedBy: actor,
      };
      const changed =
        next.approvalStatus !== current.approvalStatus || JSON.stringify(details) !== JSON.stringify(current.details);
      if (!changed) return current;
      this.store.modelPackages.updatePackage(next);
      if (status !== undefined && (status !== current.approvalStatus || approvalDescription !== undefined)) {
        this.store.modelPackages.appendHistory({
          packageArn: current.arn,
          previousStatus: current.approvalStatus,
          newStatus: status,
          actor,
          ...(approvalDescription !== undefined ? { description: approvalDescription } : {}),
          at: now,
        });
      }
      this.bus.append(modelPackageStateChangeEvent(this.bus, eventInput(next), now));
      return next;
    });
    this.bus.kick();
    return updated;
  }

  /** Every approval status a version has had, oldest first, with who set it and why. */
  history(reference: string): ApprovalChange[] {
    return this.store.modelPackages.history(this.package(reference).arn);
  }

  private groupArnFor(nameOrArn: string): string {
    return nameOrArn.startsWith('arn:') ? nameOrArn : resourceArn(this.scope, 'model-package-group', nameOrArn);
  }
}

function eventInput(record: ModelPackageRecord) {
  const details = record.details;
  return {
    ModelPackageGroupName: record.groupName,
    ModelPackageVersion: record.version,
    ModelPackageArn: record.arn,
    ...(record.description !== undefined ? { ModelPackageDescription: record.description } : {}),
    CreationTime: record.createdAt,
    InferenceSpecification: details['InferenceSpecification'],
    ModelPackageStatus: 'Completed',
    ModelApprovalStatus: record.approvalStatus,
    ...(details['ApprovalDescription'] !== undefined
      ? { ApprovalDescription: details['ApprovalDescription'] as string }
      : {}),
    MetadataProperties: details['MetadataProperties'],
    ModelMetrics: details['ModelMetrics'],
    CustomerMetadataProperties: details['CustomerMetadataProperties'],
    ModelLifeCycle: details['ModelLifeCycle'],
    LastModifiedTime: record.modifiedAt,
  };
}

function checkGroupName(value: unknown, member: string): string {
  const problem = checkName('modelPackageGroupName', value);
  if (problem) throw validationException(`${member} ${problem} (${NAME_RULES.modelPackageGroupName.allowed})`);
  return value as string;
}

function checkApprovalStatus(status: unknown): void {
  if (!MODEL_APPROVAL_STATUSES.includes(status as ModelApprovalStatus)) {
    throw validationException(
      `ModelApprovalStatus must be one of ${MODEL_APPROVAL_STATUSES.join(', ')}, got ${describeValue(status)}`,
    );
  }
}

function optionalText(request: Record<string, unknown>, member: string, max: number): string | undefined {
  const value = request[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > max) {
    throw validationException(`${member} must be a string of at most ${max} characters, got ${describeValue(value)}`);
  }
  return value;
}

function checkStringMap(request: Record<string, unknown>, member: string): void {
  const value = request[member];
  if (value === undefined) return;
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    !Object.values(value).every((v) => typeof v === 'string')
  ) {
    throw validationException(`${member} must be a map of strings, got ${describeValue(value)}`);
  }
}

/**
 * ModelCard (ModelPackageModelCard) as SageMaker's API reference gives it: ModelCardContent, a JSON document of
 * at most 100,000 characters following the model package model card schema (which has no
 * model_package_details), and ModelCardStatus, one of Draft, PendingReview, Approved, Archived.
 */
function checkModelCard(value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw validationException(
      `ModelCard must be a structure {ModelCardContent, ModelCardStatus}, got ${describeValue(value)}`,
    );
  }
  const card = value as Record<string, unknown>;
  const unknown = Object.keys(card).filter((member) => member !== 'ModelCardContent' && member !== 'ModelCardStatus');
  if (unknown.length > 0) {
    throw validationException(
      `ModelCard has unknown members ${unknown.join(', ')}: use only ModelCardContent and ModelCardStatus`,
    );
  }
  const status = card['ModelCardStatus'];
  if (status !== undefined && !MODEL_CARD_STATUSES.includes(status as ModelCardStatus)) {
    throw validationException(
      `ModelCard.ModelCardStatus must be one of ${MODEL_CARD_STATUSES.join(', ')}, got ${describeValue(status)}`,
    );
  }
  const content = card['ModelCardContent'];
  if (content === undefined) return;
  if (typeof content !== 'string' || content.length > MODEL_CARD_CONTENT_MAX_LENGTH) {
    throw validationException(
      `ModelCard.ModelCardContent must be a JSON string of at most ${MODEL_CARD_CONTENT_MAX_LENGTH} characters, got ${describeValue(typeof content === 'string' ? `${content.length} characters` : content)}`,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(content);
  } catch (error) {
    throw validationException(`ModelCard.ModelCardContent is not JSON: ${(error as Error).message}`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw validationException('ModelCard.ModelCardContent must be a JSON object (the model card schema)');
  }
  const sections = Object.keys(MODEL_PACKAGE_MODEL_CARD_SCHEMA.properties);
  const extra = Object.keys(document).filter((section) => !sections.includes(section));
  if (extra.length > 0) {
    throw validationException(
      `ModelCard.ModelCardContent has ${extra.join(', ')}, which a model package's card cannot have: its sections are ${sections.join(', ')}`,
    );
  }
}

/** SageMaker's EntityName: what ModelLifeCycle's Stage and StageStatus must be. */
const ENTITY_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/**
 * ModelLifeCycle as SageMaker's API reference gives it: Stage and StageStatus required, each an EntityName
 * (1–63 letters, digits and inner hyphens), StageDescription optional, at most 1024 characters.
 */
function checkModelLifeCycle(value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw validationException(
      `ModelLifeCycle must be a structure {Stage, StageStatus, StageDescription?}, got ${describeValue(value)}`,
    );
  }
  const lifecycle = value as Record<string, unknown>;
  const unknown = Object.keys(lifecycle).filter((key) => !['Stage', 'StageStatus', 'StageDescription'].includes(key));
  if (unknown.length > 0) {
    throw validationException(
      `ModelLifeCycle has unknown members ${unknown.join(', ')}: use only Stage, StageStatus and StageDescription`,
    );
  }
  for (const member of ['Stage', 'StageStatus']) {
    const text = lifecycle[member];
    if (typeof text !== 'string' || !ENTITY_NAME.test(text)) {
      throw validationException(
        `ModelLifeCycle.${member} must be 1 to 63 letters, digits and inner hyphens (e.g. Staging, Deployed), got ${describeValue(text)}`,
      );
    }
  }
  const description = lifecycle['StageDescription'];
  if (description !== undefined && (typeof description !== 'string' || description.length > 1024)) {
    throw validationException(
      `ModelLifeCycle.StageDescription must be a string of at most 1024 characters, got ${describeValue(description)}`,
    );
  }
}

function checkInferenceSpecification(value: unknown): void {
  if (value === undefined) return;
  const containers = (value as { Containers?: unknown } | null)?.Containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    throw validationException(
      `InferenceSpecification.Containers must be a non-empty list, got ${describeValue(containers)}`,
    );
  }
  containers.forEach((container, index) => {
    const image = (container as { Image?: unknown } | null)?.Image;
    const url = (container as { ModelDataUrl?: unknown } | null)?.ModelDataUrl;
    if (typeof image !== 'string' || image.length === 0) {
      throw validationException(
        `InferenceSpecification.Containers[${index}].Image must be an image URI, got ${describeValue(image)}`,
      );
    }
    if (url !== undefined && (typeof url !== 'string' || !/^(https|s3):\/\/[^/]+/.test(url))) {
      throw validationException(
        `InferenceSpecification.Containers[${index}].ModelDataUrl must be an s3:// or https:// URL, got ${describeValue(url)}`,
      );
    }
  });
}
