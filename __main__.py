"""agentkube: every spec under agents/ becomes Kubernetes resources for the selected stack."""

from components.program import main

main()
