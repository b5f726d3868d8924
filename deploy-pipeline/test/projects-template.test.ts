import { describe, expect, it } from '@jest/globals';
import { Match } from 'aws-cdk-lib/assertions';
import { PROJECT_TEMPLATE_PARAMETERS, STUDIO_VISIBILITY_TAG } from '../src/cdk/index.js';
import { portfolioStackName, projectTags, projectTemplateStackName, projectTemplatesBucketName } from '../src/index.js';
import { PROJECTS_TEMPLATE_CONTEXT, UNTAGGABLE, synthesize, type Resource } from './support/cdk.js';
import { testProject } from './support/project.js';

const TEMPLATE = projectTemplateStackName(testProject());
const PORTFOLIO = portfolioStackName(testProject());

describe('the SageMaker project template (ProjectTemplateStack)', () => {
  const synthesized = synthesize(PROJECTS_TEMPLATE_CONTEXT);

  it('passes cdk-nag, and is synthesized only when asked for', () => {
    expect(synthesized.violations).toEqual([]);
    expect(synthesize().projectsTemplate).toBeUndefined();
    expect(synthesize({ ...PROJECTS_TEMPLATE_CONTEXT, projectsTemplate: 'false' }).projectsTemplate).toBeUndefined();
  });

  it("takes Studio's SageMakerProjectName and SageMakerProjectId, and the GitHub repository, as parameters", () => {
    const template = synthesized.template(TEMPLATE);
    template.hasParameter(PROJECT_TEMPLATE_PARAMETERS.projectName, { Type: 'String' });
    template.hasParameter(PROJECT_TEMPLATE_PARAMETERS.projectId, { Type: 'String' });
    template.hasParameter(PROJECT_TEMPLATE_PARAMETERS.githubRepository, {
      Type: 'String',
      Default: 'octo-org/sentiment-reviews',
      AllowedPattern: Match.stringLikeRegexp('/'),
    });
    // The roles trust the repository given in Studio, not the one the template was synthesized with.
    const body = JSON.stringify(template.toJSON());
    expect(body).not.toContain('octo-org/sentiment-reviews:');
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'slipway-sentiment-github-build',
      AssumeRolePolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Condition: {
              StringEquals: Match.objectLike({
                'token.actions.githubusercontent.com:sub': {
                  'Fn::Join': ['', Match.arrayWith([{ Ref: PROJECT_TEMPLATE_PARAMETERS.githubRepository }])],
                },
              }),
            },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::Events::ApiDestination', {
      InvocationEndpoint: {
        'Fn::Join': ['', Match.arrayWith([{ Ref: PROJECT_TEMPLATE_PARAMETERS.githubRepository }])],
      },
    });
  });

  it("provisions the project stack's resources, each tagged with the Studio project's name and id", () => {
    const template = synthesized.template(TEMPLATE);
    const project = synthesized.template('slipway-sentiment-project').toJSON() as {
      Resources: Record<string, Resource>;
    };
    const provisioned = template.toJSON() as { Resources: Record<string, Resource> };
    const types = (resources: Record<string, Resource>) =>
      Object.values(resources)
        .map((r) => r.Type)
        .sort();
    expect(types(provisioned.Resources)).toEqual(types(project.Resources));
    template.hasResourceProperties('AWS::SageMaker::ModelPackageGroup', {
      ModelPackageGroupName: 'sentiment-models',
    });
    const untagged = Object.entries(provisioned.Resources)
      .filter(([, resource]) => !UNTAGGABLE.has(resource.Type))
      .filter(([, resource]) => {
        const tags = (resource.Properties?.Tags ?? []) as { Key: string; Value: unknown }[];
        const has = (key: string, parameter: string) =>
          tags.some((tag) => tag.Key === key && JSON.stringify(tag.Value) === JSON.stringify({ Ref: parameter }));
        return !(
          has('sagemaker:project-name', PROJECT_TEMPLATE_PARAMETERS.projectName) &&
          has('sagemaker:project-id', PROJECT_TEMPLATE_PARAMETERS.projectId)
        );
      })
      .map(([id, resource]) => `${id} (${resource.Type})`);
    expect(untagged).toEqual([]);
    expect(JSON.stringify(provisioned)).not.toContain('"Value":"p-4998j71vgs5g"');
  });
});

describe('the portfolio stack (PortfolioStack)', () => {
  it('shares one product, tagged for Studio and pointing at the uploaded template, with the Studio roles', () => {
    const template = synthesize(PROJECTS_TEMPLATE_CONTEXT).template(PORTFOLIO);
    const bucket = projectTemplatesBucketName(testProject());
    template.hasResourceProperties('AWS::S3::Bucket', { BucketName: bucket });
    template.resourceCountIs('AWS::ServiceCatalog::Portfolio', 1);
    template.hasResourceProperties('AWS::ServiceCatalog::CloudFormationProduct', {
      Tags: Match.arrayWith([{ Key: STUDIO_VISIBILITY_TAG.key, Value: STUDIO_VISIBILITY_TAG.value }]),
      ProvisioningArtifactParameters: [
        {
          Name: 'sentiment-0123456789abcdef',
          Info: {
            LoadTemplateFromURL: {
              'Fn::Join': [
                '',
                Match.arrayWith([Match.stringLikeRegexp(`/${PROJECTS_TEMPLATE_CONTEXT.productTemplateKey}$`)]),
              ],
            },
          },
        },
      ],
    });
    template.resourceCountIs('AWS::ServiceCatalog::PortfolioProductAssociation', 1);
    for (const arn of PROJECTS_TEMPLATE_CONTEXT.studioRoleArns!.split(','))
      template.hasResourceProperties('AWS::ServiceCatalog::PortfolioPrincipalAssociation', {
        PrincipalARN: arn,
        PrincipalType: 'IAM',
      });
    template.hasResourceProperties('AWS::ServiceCatalog::LaunchRoleConstraint', {
      RoleArn: PROJECTS_TEMPLATE_CONTEXT.launchRoleArn,
    });
  });

  it('holds only the templates bucket before the template is uploaded (bootstrap’s first step)', () => {
    const { productTemplateKey: _key, ...context } = PROJECTS_TEMPLATE_CONTEXT;
    const synthesized = synthesize(context);
    expect(synthesized.violations).toEqual([]);
    const template = synthesized.template(PORTFOLIO).toJSON() as { Resources: Record<string, Resource> };
    expect(
      Object.values(template.Resources)
        .map((resource) => resource.Type)
        .sort(),
    ).toEqual(['AWS::S3::Bucket', 'AWS::S3::BucketPolicy']);
  });
});

describe('projectTags', () => {
  it("names the config's SageMaker project when it has one, else the config's own name and id", () => {
    const project = testProject();
    expect(projectTags(project)).toEqual({
      'sagemaker:project-name': 'sentiment',
      'sagemaker:project-id': 'p-4998j71vgs5g',
    });
    expect(
      projectTags({ ...project, sagemakerProject: { projectName: 'reviews-studio', projectId: 'p-abcdefabcdef' } }),
    ).toEqual({
      'sagemaker:project-name': 'reviews-studio',
      'sagemaker:project-id': 'p-abcdefabcdef',
    });
  });

  it('tags the endpoint stacks with the Studio project when the config has one', () => {
    const synthesized = synthesize(
      { modelPackageArn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/sentiment-models/3' },
      { sagemakerProject: { projectName: 'reviews-studio', projectId: 'p-abcdefabcdef' } },
    );
    synthesized.template('slipway-sentiment-endpoint-staging').hasResourceProperties('AWS::SageMaker::Endpoint', {
      Tags: Match.arrayWith([
        { Key: 'sagemaker:project-id', Value: 'p-abcdefabcdef' },
        { Key: 'sagemaker:project-name', Value: 'reviews-studio' },
      ]),
    });
  });
});
