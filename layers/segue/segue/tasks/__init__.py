"""Task resources: Lambda functions and the optimized service integrations."""
