using CommandLine;

namespace CiUpgrade.Cli;

[Verb("drift", HelpText = "Check that an upgraded install has not drifted: images, tags, release, rollouts, and a baseline. Exit 1 on drift.")]
public sealed class DriftOptions : ClusterOptions
{
    [Option("junit", Default = "drift-junit.xml", HelpText = "Where to write the JUnit XML report.")]
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
