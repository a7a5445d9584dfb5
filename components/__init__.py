"""agentkube: agent specs to production Kubernetes objects, deployed with Pulumi."""
