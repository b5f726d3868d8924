import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DescribeModelPackageCommand,
  UpdateModelPackageCommand,
  type ModelPackageModelCard,
} from '@aws-sdk/client-sagemaker';
import { startTestServer, type TestServer } from './support/harness.js';

const INFERENCE = { Containers: [{ Image: 'img:1', ModelDataUrl: 's3://bkt/models/model.tar.gz' }] };
const CARD = { intended_uses: { risk_rating: 'Low' }, evaluation_details: [{ name: 'Evaluate' }] };

/**
 * A model package's ModelCard (ModelPackageModelCard) on CreateModelPackage and UpdateModelPackage: stored,
 * described in SageMaker's shape, and checked as the API reference gives it.
 */
describe('ModelCard on the local registry', () => {
  let t: TestServer;
  let arn: string;

  beforeAll(async () => {
    t = await startTestServer();
    await t.sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'cards' }));
    const created = await t.sagemaker.send(
      new CreateModelPackageCommand({ ModelPackageGroupName: 'cards', InferenceSpecification: INFERENCE }),
    );
    arn = created.ModelPackageArn!;
  });
  afterAll(() => t?.close());

  it('keeps the card UpdateModelPackage writes, and DescribeModelPackage returns it', async () => {
    const card: ModelPackageModelCard = { ModelCardContent: JSON.stringify(CARD), ModelCardStatus: 'Draft' };
    await t.sagemaker.send(new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelCard: card }));
    const described = await t.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
    expect(described.ModelCard).toEqual(card);
    expect(JSON.parse(described.ModelCard?.ModelCardContent ?? '')).toEqual(CARD);
  });

  it('takes a card with CreateModelPackage too', async () => {
    const card: ModelPackageModelCard = { ModelCardContent: '{}', ModelCardStatus: 'PendingReview' };
    const created = await t.sagemaker.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: 'cards',
        InferenceSpecification: INFERENCE,
        ModelCard: card,
      }),
    );
    const described = await t.sagemaker.send(
      new DescribeModelPackageCommand({ ModelPackageName: created.ModelPackageArn }),
    );
    expect(described.ModelCard).toEqual(card);
  });

  it.each([
    [
      'an unknown status',
      { ModelCardStatus: 'Final' },
      'ModelCard.ModelCardStatus must be one of Draft, PendingReview, Approved, Archived',
    ],
    ['content that is not JSON', { ModelCardContent: 'not json' }, 'ModelCard.ModelCardContent is not JSON'],
    ['content that is not an object', { ModelCardContent: '[1]' }, 'ModelCard.ModelCardContent must be a JSON object'],
    [
      'model_package_details',
      { ModelCardContent: '{"model_package_details":{}}' },
      "ModelCard.ModelCardContent has model_package_details, which a model package's card cannot have",
    ],
    [
      'content over 100,000 characters',
      { ModelCardContent: 'x'.repeat(100_001) },
      'must be a JSON string of at most 100000 characters',
    ],
  ])('refuses %s with a ValidationException naming the field', async (_label, card, message) => {
    const refused = await t.sagemaker
      .send(new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelCard: card as ModelPackageModelCard }))
      .then(
        () => undefined,
        (error: Error) => error,
      );
    expect(refused?.name).toBe('ValidationException');
    expect(refused?.message).toContain(message);
    const described = await t.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
    expect(described.ModelCard?.ModelCardStatus).toBe('Draft');
  });
});
