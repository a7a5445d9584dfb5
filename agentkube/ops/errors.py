"""The one error of the day-2 commands: the CLI prints it as a line and exits 1."""


class EngineError(Exception):
    """The pulumi CLI, the state backend or a tool is missing or failed."""


class StepFailed(EngineError):
    """A deploying step's `pulumi up` failed after its change was written; the change was undone."""
