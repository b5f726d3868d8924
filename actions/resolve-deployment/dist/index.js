// The entry action.yml runs: turns source maps on, so that stacks point into src/, then loads the bundle.
process.setSourceMapsEnabled(true);
await import('./main.js');
