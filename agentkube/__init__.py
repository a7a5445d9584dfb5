"""agentkube: a multi-agent AI system on Kubernetes from one short YAML spec per agent."""
