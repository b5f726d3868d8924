"""Stand-ins for the built-in algorithms of SageMaker images, run by the local training runner when a job has no script."""
