"""Runs a Lambda function's local handler for a pipeline's Lambda step (see local/README.md)."""
