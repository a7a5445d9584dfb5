"""The project's local control plane (built by scripts/install-cluster): kube-apiserver, etcd, controllers
and kwok's fake nodes, started once per session by the `live_cluster` fixture and always stopped after."""
