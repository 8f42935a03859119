using CommandLine;
using CommandLine.Text;

namespace CiUpgrade.Cli;

[Verb("target-kubeconfig", HelpText = "Write a kubeconfig (server, CA, a ServiceAccount's token, namespace) for a target Secret on the pipeline cluster; run it with an admin's kubeconfig for the install's cluster. The token is written only into that kubeconfig.")]
[VerbHelp(
    """
    Run by a target cluster's admin after `oc apply -f tekton/target/`: writes the kubeconfig (server, CA, the
    ServiceAccount's token, namespace) a pipeline cluster's target Secret holds. OpenShift 3.11: the token controller's
    Secret; Kubernetes >= 1.24: a TokenRequest valid for --token-lifetime, or --token-source secret.
    """,
    "0  kubeconfig written",
    "2  bad flag, kubeconfig, or no certificate authority to write",
    "3  API server unreachable, or access denied",
    "4  no such ServiceAccount, or no TokenRequest on this server",
    "5  the token controller filled no token Secret within --timeout")]
public sealed class TargetKubeconfigOptions : ClusterOptions
{
    [Usage(ApplicationAlias = "ciupgrade")]
    public static IEnumerable<Example> Examples => [new("Write the pipeline account's kubeconfig for a target Secret", HelpExamples.Style,
        new TargetKubeconfigOptions { Namespace = "3scale", ServiceAccount = "ciupgrade", OutputFile = "prod.kubeconfig" })];

    [Option("service-account", Default = "ciupgrade", HelpText = "The ServiceAccount the pipeline acts as in the namespace (tekton/target/ creates ciupgrade).")]
    public string ServiceAccount { get; set; } = "ciupgrade";

    [Option("token-source", Default = "auto", HelpText = "secret: the account's token Secret (created by the token controller on OpenShift 3.11; created here on Kubernetes >= 1.24); request: a TokenRequest valid for --token-lifetime (Kubernetes >= 1.22); auto: request on Kubernetes >= 1.24 (OpenShift >= 4.11), else secret.")]
    public string TokenSource { get; set; } = "auto";

    [Option("token-lifetime", Default = "8760h", HelpText = "How long a requested token is valid (at least 10m; the server may shorten it, the answer's expiry is printed).")]
    public string TokenLifetime { get; set; } = "8760h";

    [Option("server", HelpText = "The API server URL the pipeline cluster reaches (default: this kubeconfig's server).")]
    public string? Server { get; set; }

    [Option("output-file", HelpText = "Write the kubeconfig to this file (mode 600) instead of stdout.")]
    public string? OutputFile { get; set; }
}
