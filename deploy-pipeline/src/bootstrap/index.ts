export * from './bootstrap.js';
export * from './github-token.js';
export * from './repository-variables.js';
export * from './github-setup.js';
export * from './github-repository.js';
export * from './projects-template.js';
export * from './project-stack-lookup.js';
export * from './bootstrap-stage.js';
