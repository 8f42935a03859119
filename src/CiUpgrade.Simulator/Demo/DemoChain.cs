namespace CiUpgrade.Simulator.Demo;

/// <summary>
/// The stages the demo runs, in the order of the Tekton pipeline (tekton/pipelines/3scale-upgrade.yaml): one
/// ciupgrade invocation each, verb first, then the stage's own flags (the demo appends the cluster flags).
/// A new stage of the pipeline is one more line here.
/// </summary>
public static class DemoChain
{
    public static IReadOnlyList<string[]> Stages(string backupDir, string junit) =>
    [
        ["preflight"],
        ["backup", "--backup-dir", backupDir],
        ["update-prehook"],
        ["patch-imagestreams"],
        ["set-release"],
        ["verify", "--junit", junit],
    ];
}
