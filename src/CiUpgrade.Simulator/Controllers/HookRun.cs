namespace CiUpgrade.Simulator.Controllers;

/// <summary>One run of a hook container: which rollout, which pod, on which image with which command, and how it ended.</summary>
public sealed record HookRun(string Namespace, string DeploymentConfig, string ReplicationController, string Pod, string Image,
    IReadOnlyList<string> Command, int ExitCode);
