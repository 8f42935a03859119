using CommandLine;

namespace CiUpgrade.Cli;

/// <summary>Flags every cluster stage takes: where the cluster is, which namespace, which plan, how to print, how long to wait.</summary>
public abstract class ClusterOptions : VerbOptions
{
    [Option("kubeconfig", HelpText = "Path to a kubeconfig (default: $KUBECONFIG, ~/.kube/config, then the pod's service account).")]
    public string? Kubeconfig { get; set; }

    [Option("kubeconfig-dir", HelpText = "A mounted target Secret (Tekton: the target workspace): DIR/kubeconfig is the kubeconfig and DIR/context, when present, the context; with --target, DIR/SECRET. Empty: not given.")]
    public string? KubeconfigDir { get; set; }

    [Option("target", HelpText = "One install of a fleet, NAME:SECRET:NAMESPACE (Tekton's matrix): the kubeconfig is --kubeconfig-dir/SECRET (empty SECRET: this cluster), the namespace NAMESPACE (empty: the context's); NAME names the install in reports and backups.")]
    public string? Target { get; set; }

    [Option("context", HelpText = "kubeconfig context to use (default: the current context).")]
    public string? Context { get; set; }

    [Option('n', "namespace", HelpText = "Namespace of the 3scale install (default: the context's namespace).")]
    public string? Namespace { get; set; }

    [Option("plan", HelpText = "Upgrade plan file, YAML or JSON (default: the built-in 2.6 to 2.7 plan).")]
    public string? Plan { get; set; }

    [Option("config-dir", HelpText = "Directory a relative --plan (and drift's --baseline) is read from, e.g. a mounted ConfigMap (Tekton: the config workspace); default: the working directory.")]
    public string? ConfigDir { get; set; }

    [Option("output", Default = "text", HelpText = "text (one line per event) or json (one JSON object per line).")]
    public string Output { get; set; } = "text";

    [Option("no-retry", HelpText = "Waiting stages: fail on a deployment or an import that failed before this run instead of retrying it (oc rollout latest, import now).")]
    public bool NoRetry { get; set; }

    [Option("timeout", Default = "30m", HelpText = "Longest wait for an import or a rollout: 600, 90s, 10m, 1h (at most 24h).")]
    public string Timeout { get; set; } = "30m";

    [Option("run-id", HelpText = "Identifier of this run (Tekton: the PipelineRun's uid): the namespace lock's holder (a rerun with the same id resumes at once; default user@host and pid); backup records it in the manifest, and rollback --run-id restores only a backup taken by this run.")]
    public string? RunId { get; set; }

    [Option("api-retry-budget", Default = "2m", HelpText = "How long an unreachable API server (a control-plane restart) is waited out before exit 3; never beyond --timeout.")]
    public string ApiRetryBudget { get; set; } = "2m";
}
