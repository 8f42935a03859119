using CommandLine;
using CommandLine.Text;

namespace CiUpgrade.Cli;

[Verb("drift", HelpText = "Check that an upgraded install has not drifted: images, tags, release, rollouts, and a baseline. Exit 1 on drift.")]
[VerbHelp(
    """
    The scheduled check that an upgraded install has not drifted: verify's image and rollout rules, the target and
    latest tags, the release, and with --baseline any image that changed; one JUnit testcase per rule. With -A every
    install the credentials can see, in paged LISTs, one testsuite per namespace.
    """,
    "0  no drift",
    "1  drift found (one line per drifted item)",
    "2  bad flag, plan, kubeconfig or baseline",
    "3  API server unreachable, or access denied (-A: names the ClusterRole to bind)",
    "4  no 3scale install in the namespace (or, with -A, in any namespace)")]
public sealed class DriftOptions : ClusterOptions
{
    [Usage(ApplicationAlias = "ciupgrade")]
    public static IEnumerable<Example> Examples => [new("Check namespace 3scale against a recorded baseline", HelpExamples.Style, new DriftOptions { Namespace = "3scale", Baseline = "baseline.json" })];

    [Option("junit", Default = "drift-junit.xml", HelpText = "Where to write the JUnit XML report; a path ending in / is a directory, the report <install>.xml in it (the --target's name, else the namespace).")]
    public string Junit { get; set; } = "drift-junit.xml";

    [Option("results-dir", HelpText = "Write Tekton results (passed, failed, skipped, status, drifted) into this directory.")]
    public string? ResultsDir { get; set; }

    [Option("baseline", HelpText = "Images recorded by `verify --write-baseline` or `backup` (its manifest.json); any difference is drift.")]
    public string? Baseline { get; set; }

    [Option('A', "all-namespaces", HelpText = "Check every 3scale install the credentials can see (one LIST per kind).")]
    public bool AllNamespaces { get; set; }

    [Option('l', "selector", HelpText = "With --all-namespaces: only DeploymentConfigs with these labels (e.g. app=3scale-api-management).")]
    public string? Selector { get; set; }
}
