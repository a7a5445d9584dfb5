"""agentkube's example project: every spec under agents/ becomes Kubernetes resources for the selected stack."""

from components import main

main()
