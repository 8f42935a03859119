using CommandLine;
using CommandLine.Text;

namespace CiUpgrade.Cli;

[Verb("verify", HelpText = "Check that every DeploymentConfig runs a digest-pinned image from the target registry; write JUnit. Exit 1 on failure.")]
[VerbHelp(
    """
    The CI gate: checks that every DC of the plan runs exactly the image the target tag resolves to, digest-pinned
    from the plan's repository, fully rolled out, and that the release is the target; one JUnit testcase per DC, the
    release and the pre hook. A DC scaled to zero is upgraded and reported skipped, unless the plan marks it mustRun.
    Changes nothing.
    """,
    "0  every check passed",
    "1  a check failed (named in the JUnit report): the CI gate",
    "2  bad flag, plan or kubeconfig, or an unwritable --junit",
    "3  API server unreachable, or access denied")]
public sealed class VerifyOptions : ClusterOptions
{
    [Usage(ApplicationAlias = "ciupgrade")]
    public static IEnumerable<Example> Examples => [new("Verify namespace 3scale and write the JUnit report", HelpExamples.Style, new VerifyOptions { Namespace = "3scale", Junit = "out/verify-junit.xml" })];

    [Option("junit", Default = "verify-junit.xml", HelpText = "Where to write the JUnit XML report; a path ending in / is a directory, the report <install>.xml in it (the --target's name, else the namespace).")]
    public string Junit { get; set; } = "verify-junit.xml";

    [Option("results-dir", HelpText = "Write Tekton results (passed, failed, skipped, status) into this directory.")]
    public string? ResultsDir { get; set; }

    [Option("system-image", HelpText = "The amp-system image this run chose (patch-imagestreams --system-image: a mirror, or an Oracle image built elsewhere): judge against it. Default: the image patch-imagestreams recorded on amp-system's target tag, else the plan's.")]
    public string? SystemImage { get; set; }

    [Option("write-baseline", HelpText = "Also record the images every DeploymentConfig runs, for `drift --baseline`.")]
    public string? WriteBaseline { get; set; }
}
