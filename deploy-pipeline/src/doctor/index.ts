export * from './project-doctor.js';
