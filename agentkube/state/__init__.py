"""What agentkube keeps in a stack's Pulumi state and reads back: the component type tokens, their output keys,
and the deployment record of each update (with how a rollback replays one). No Pulumi here: the components
write it, ops read it."""
