"""A SageMaker-compatible model server for Slipway's local endpoints (standard library + the runtime's packages)."""
