using CommandLine;

namespace CiUpgrade.Cli;

[Verb("wait-rollouts", HelpText = "Wait until the DeploymentConfigs run what their image stream tags resolve to, fully rolled out.")]
public sealed class WaitRolloutsOptions : ClusterOptions
{
    [Option("dc", Separator = ',', HelpText = "Only these DeploymentConfigs (comma-separated; default: every one of the plan).")]
    public IEnumerable<string> DeploymentConfigs { get; set; } = [];
}
