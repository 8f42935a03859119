using CommandLine;
using CommandLine.Text;

namespace CiUpgrade.Cli;

[Verb("wait-rollouts", HelpText = "Wait until the DeploymentConfigs run what their image stream tags resolve to, fully rolled out.")]
[VerbHelp(
    """
    Waits, watching, until every DC of the plan (or those --dc names) runs the image its image stream tag resolves
    to and that version is fully rolled out, judged as oc rollout status judges a DC. A deployment that had already
    failed is retried once, as oc rollout latest does (--no-retry: fail instead).
    """,
    "0  every DC rolled out",
    "2  bad flag, plan or kubeconfig, or a --dc that is not an object name",
    "3  API server unreachable, or access denied",
    "4  a DC whose image trigger is manual, or a DC deleted while waiting",
    "5  a rollout failed or timed out (the DC, the failed deployment and the cause named)")]
public sealed class WaitRolloutsOptions : ClusterOptions
{
    [Usage(ApplicationAlias = "ciupgrade")]
    public static IEnumerable<Example> Examples => [new("Wait for system-app and system-sidekiq", HelpExamples.Style, new WaitRolloutsOptions { Namespace = "3scale", DeploymentConfigs = ["system-app", "system-sidekiq"] })];

    [Option("dc", Separator = ',', HelpText = "Only these DeploymentConfigs (comma-separated; default: every one of the plan).")]
    public IEnumerable<string> DeploymentConfigs { get; set; } = [];
}
