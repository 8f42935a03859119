using CommandLine;
using CommandLine.Text;

namespace CiUpgrade.Cli;

[Verb("report", HelpText = "Aggregate a fleet's drift (or verify) JUnit reports, one file per install (drift --target ... --junit DIR/), into one JUnit file (one testsuite per install) and one self-contained HTML page. Exit 1 when an install drifted or has no report (with --waves: was not upgraded). No cluster access.")]
[VerbHelp(
    """
    A fleet's drift reports, one per install (drift --target NAME:... --junit DIR/), as one JUnit file (a testsuite per
    install) and one self-contained HTML page (installs x checks, each failure's sentence, when and against what plan).
    An expected install without a report counts as drifted. With --waves (a fleet upgrade's verify reports), an install
    without one failed before verify, or was not started when its wave never ran. No cluster access.
    """,
    "0  no install drifted (--waves: every install upgraded and verified)",
    "1  an install drifted or has no report (--waves: an install not upgraded)",
    "2  bad flag, or nothing to report")]
public sealed class ReportOptions : VerbOptions
{
    [Usage(ApplicationAlias = "ciupgrade")]
    public static IEnumerable<Example> Examples => [new("Report on a fleet's drift checks", HelpExamples.Style,
        new ReportOptions { JunitDir = "drift", Targets = ["prod:ciupgrade-target-prod:3scale"] })];

    [Option("junit-dir", Required = true, HelpText = "The directory of the per-install reports (<install>.xml each).")]
    public string JunitDir { get; set; } = string.Empty;

    [Option("junit", Default = "fleet-junit.xml", HelpText = "Where to write the aggregated JUnit report.")]
    public string Junit { get; set; } = "fleet-junit.xml";

    [Option("html", Default = "fleet-report.html", HelpText = "Where to write the HTML page (no scripts, no external assets: readable offline).")]
    public string Html { get; set; } = "fleet-report.html";

    [Option("results-dir", HelpText = "Write Tekton results (installs, drifted, status) into this directory.")]
    public string? ResultsDir { get; set; }

    [Option("title", Default = "3scale fleet drift check", HelpText = "The page's and the report's title.")]
    public string Title { get; set; } = "3scale fleet drift check";

    [Option("plan", HelpText = "The plan the installs were checked against, as the checks were given it (empty: the built-in plan); shown on the page.")]
    public string? Plan { get; set; }

    [Option("targets", HelpText = "The installs expected, NAME[:SECRET[:NAMESPACE]] each (the pipeline's targets): one without a report counts as drifted. Last on the command line.")]
    public IEnumerable<string> Targets { get; set; } = [];

    [Option("waves", HelpText = "Instead of --targets, a fleet upgrade's waves in order: WAVE=STATUS (Tekton's $(tasks.WAVE.status): Succeeded, Failed, None) then that wave's installs. Last on the command line.")]
    public IEnumerable<string> Waves { get; set; } = [];

    [Option("output", Default = "text", HelpText = "text or json.")]
    public string Output { get; set; } = "text";
}
