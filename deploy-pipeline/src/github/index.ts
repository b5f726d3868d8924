export * from './oidc-subject.js';
