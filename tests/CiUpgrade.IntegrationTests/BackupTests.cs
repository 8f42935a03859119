using System.Text.Json.Nodes;

namespace CiUpgrade.IntegrationTests;

/// <summary>Backups are never lost, and rollback restores only a backup of the pre-upgrade state (issue 13, review D2).</summary>
public sealed class BackupTests : UpgradeTest
{
    private string Backups => Path.Combine(Dir, "backups");

    private JsonObject Manifest(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")))!.AsObject();

    private string AppRelease() => (string)Get("configmaps", "system-environment")["data"]!["AMP_RELEASE"]!;

    private string Latest(string stream) => Get("imagestreams", stream)["spec"]!["tags"]!.AsArray()
        .Single(t => (string?)t!["name"] == "latest")!["from"]!.ToJsonString();

    [Fact]
    public async Task A_backup_rerun_mid_upgrade_keeps_the_pre_upgrade_one_and_rollback_restores_26()
    {
        var images = Cluster.Registry.List("deploymentconfigs", Ns).Items.ToDictionary(d => (string)d["metadata"]!["name"]!, d => d["spec"]!["template"]!.ToJsonString());
        Assert.Equal(0, (await Ciupgrade("backup", "--backup-dir", Backups, "--databases")).Code);
        var first = LatestBackup(Backups);
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code); // guide step 2.2 before the images
        Assert.Equal(0, (await Ciupgrade("patch-imagestreams")).Code);

        var (rerun, output, error) = await Ciupgrade("backup", "--backup-dir", Backups);
        var second = LatestBackup(Backups);

        Assert.True(rerun == 0, error);
        Assert.NotEqual(first, second);
        Assert.Contains("not a pre-upgrade backup (image stream amp-system already has tag 2.7)", output, StringComparison.Ordinal);
        Assert.True(Manifest(first)["preUpgrade"]!.GetValue<bool>());
        Assert.False(Manifest(second)["preUpgrade"]!.GetValue<bool>());
        Assert.Equal("2.6", (string?)Manifest(second)["release"]);

        var (code, rollbackOutput, rollbackError) = await Ciupgrade("rollback", "--backup-dir", Backups, "--restore-data"); // system-app ran the 2.7 migration
        await Cluster.WaitForIdleAsync(Timeout);

        Assert.True(code == 0, rollbackError);
        Assert.Contains($"passing over {Path.GetFileName(second)}: not a pre-upgrade backup", rollbackOutput, StringComparison.Ordinal);
        Assert.Contains($"restoring {first}", rollbackOutput, StringComparison.Ordinal);
        Assert.Equal("""{"kind":"ImageStreamTag","name":"2.6"}""", Latest("amp-system"));
        Assert.DoesNotContain(Get("imagestreams", "amp-system")["spec"]!["tags"]!.AsArray(), t => (string?)t!["name"] == "2.7");
        Assert.Equal(images, Cluster.Registry.List("deploymentconfigs", Ns).Items.ToDictionary(d => (string)d["metadata"]!["name"]!, d => d["spec"]!["template"]!.ToJsonString()));
        Assert.Equal("2.6", AppRelease());
    }

    [Fact]
    public async Task Rollback_with_only_mid_upgrade_backups_refuses_and_sends_nothing()
    {
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code); // guide step 2.2 before the images
        Assert.Equal(0, (await Ciupgrade("patch-imagestreams")).Code);
        Assert.Equal(0, (await Ciupgrade("backup", "--backup-dir", Backups)).Code);
        Cluster.ClearRequests();

        var (code, _, error) = await Ciupgrade("rollback", "--backup-dir", Backups);
        var (explicitCode, _, explicitError) = await Ciupgrade("rollback", "--backup-dir", LatestBackup(Backups));

        Assert.Equal(2, code);
        Assert.Contains("none of the 1 backups of namespace 3scale", error, StringComparison.Ordinal);
        Assert.Equal(2, explicitCode);
        Assert.Contains("is not a pre-upgrade backup (image stream amp-system already has tag 2.7)", explicitError, StringComparison.Ordinal);
        Assert.DoesNotContain(Cluster.Requests, r => r.Method != "GET");
    }

    [Fact]
    public async Task Rollback_without_any_backup_says_so()
    {
        var (code, _, error) = await Ciupgrade("rollback", "--backup-dir", Backups);

        Assert.Equal(2, code);
        Assert.Contains($"no backup of namespace 3scale under {Backups}", error, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> Corruptions => new()
    {
        { "imagestreams.json", """[{"metadata":{"name":"amp-system"},"spec":{}}]""", "amp-system: spec.tags must be a list" },
        { "imagestreams.json", """[{"metadata":{"name":"amp-system"},"spec":{"tags":"latest"}}]""", "amp-system: spec.tags must be a list" },
        { "imagestreams.json", """[{"metadata":{"name":"amp-system"},"spec":{"tags":[]}},{"metadata":{"name":"amp-system"},"spec":{"tags":[]}}]""", "amp-system appears more than once" },
        { "imagestreams.json", """[{"metadata":{"name":42},"spec":{"tags":[]}}]""", "item 0 has no metadata.name" },
        { "imagestreams.json", """[{"metadata":{"name":"amp-system"},"spec":{"tags":[{"name":"latest","from":{"kind":7,"name":"2.6"}}]}}]""", "spec.tags[0].from must be an object" },
        { "imagestreams.json", """{"items":7}""", "imagestreams.json must hold a JSON list" },
        { "imagestreams.json", "not json", "cannot read" },
        { "deploymentconfigs.json", """[{"metadata":{"name":"system-app"},"spec":{"template":{"spec":{"containers":[{"name":1}]}}}}]""", "containers[0] has no name" },
        { "manifest.json", """{"namespace":"3scale","release":2.6}""", "\"release\" must be a non-empty string" },
        { "manifest.json", """{"release":"2.6"}""", "\"namespace\" must be a non-empty string" },
        { "manifest.json", """{"namespace":"3scale","release":"2.6","images":{"system-app":["x"]}}""", "images.system-app must map container names to image strings" },
        { "manifest.json", "[]", "manifest.json is not a JSON object" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public async Task Rollback_refuses_a_backup_that_fails_validation_and_sends_nothing(string file, string content, string expected)
    {
        Assert.Equal(0, (await Ciupgrade("backup", "--backup-dir", Backups)).Code);
        var backup = LatestBackup(Backups);
        await File.WriteAllTextAsync(Path.Combine(backup, file), content);
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code); // guide step 2.2 before the images
        Assert.Equal(0, (await Ciupgrade("patch-imagestreams")).Code);
        Cluster.ClearRequests();

        var (code, _, error) = await Ciupgrade("rollback", "--backup-dir", backup);

        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Cluster.Requests, r => r.Method != "GET");
    }

    [Fact]
    public async Task Rollback_refuses_a_file_changed_after_the_backup()
    {
        Assert.Equal(0, (await Ciupgrade("backup", "--backup-dir", Backups)).Code);
        var streams = Path.Combine(LatestBackup(Backups), "imagestreams.json");
        await File.WriteAllTextAsync(streams, (await File.ReadAllTextAsync(streams)).Replace("\"2.6\"", "\"2.5\"", StringComparison.Ordinal));

        var (code, _, error) = await Ciupgrade("rollback", "--backup-dir", Backups);

        Assert.Equal(2, code);
        Assert.Contains("imagestreams.json does not match the sha256 in manifest.json", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_backup_gets_its_own_private_directory_and_latest_names_the_newest()
    {
        Assert.Equal(0, (await Ciupgrade("backup", "--backup-dir", Backups)).Code);
        var first = LatestBackup(Backups);
        Assert.Equal(0, (await Ciupgrade("backup", "--backup-dir", Backups)).Code);
        var second = LatestBackup(Backups);

        Assert.NotEqual(first, second);
        Assert.True(Directory.Exists(first));
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(Backups, Ns), ".*"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(second));
            foreach (var file in Directory.EnumerateFiles(second))
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
        }

        var files = Manifest(second)["files"]!.AsObject();
        Assert.Equal(Directory.EnumerateFiles(second).Select(Path.GetFileName).Where(f => f != "manifest.json").Order(), files.Select(f => f.Key).Order());
        Assert.All(files, f => Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(second, f.Key)))), (string?)f.Value!["sha256"]));
    }

    /// <summary>Replaces a file of a backup and records its new sha256, as a consistent but wrong backup would be.</summary>
    private void Rewrite(string backup, string file, string content)
    {
        File.WriteAllText(Path.Combine(backup, file), content);
        var manifest = Manifest(backup);
        manifest["files"]![file]!["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(backup, file))));
        File.WriteAllText(Path.Combine(backup, "manifest.json"), manifest.ToJsonString());
    }

    [Fact]
    public async Task A_backup_taken_after_update_prehook_is_not_pre_upgrade_and_that_runs_rollback_names_the_backup_to_restore()
    {
        Assert.Equal(0, (await Ciupgrade("backup", "--backup-dir", Backups, "--run-id", "run-1")).Code);
        var first = LatestBackup(Backups);
        Assert.Equal(0, (await Ciupgrade("update-prehook", "--run-id", "run-1")).Code);
        // run 1 fails before patch-imagestreams' first patch; run 2 starts over
        Assert.Equal(0, (await Ciupgrade("preflight", "--run-id", "run-2")).Code);
        var (code, output, _) = await Ciupgrade("backup", "--backup-dir", Backups, "--run-id", "run-2");
        Assert.Equal(0, code);
        Assert.Contains("not a pre-upgrade backup (system-app's pre hook already runs the 2.7 migration (update-prehook ran))", output, StringComparison.Ordinal);
        Assert.False(Manifest(LatestBackup(Backups))["preUpgrade"]!.GetValue<bool>());
        Cluster.ClearRequests();

        var (refused, _, error) = await Ciupgrade("rollback", "--backup-dir", Backups, "--run-id", "run-2");

        Assert.Equal(2, refused);
        Assert.Contains($"run run-2 took no pre-upgrade backup", error, StringComparison.Ordinal);
        Assert.Contains($"The newest pre-upgrade backup of namespace 3scale is {first} (run run-1): restore it with `ciupgrade rollback -n 3scale --backup-dir {first}`", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Cluster.Requests, r => r.Method != "GET");

        // Without a run id the newest pre-upgrade backup is run 1's: its hook is the source's, so system-app keeps the 2.6 migration.
        var (restored, restoreOutput, restoreError) = await Ciupgrade("rollback", "--backup-dir", Backups);
        Assert.True(restored == 0, restoreError);
        Assert.Contains($"restoring {first}", restoreOutput, StringComparison.Ordinal);
        Assert.Single(restoreOutput.Split('\n'), l => l.Contains("restoring ", StringComparison.Ordinal));
        Assert.Contains("image-only rollback: the 2.7 migration has not run on the database", restoreOutput, StringComparison.Ordinal);
        var hook = Get("deploymentconfigs", "system-app")["spec"]!["strategy"]!["rollingParams"]!["pre"]!["execNewPod"]!["command"]!.ToJsonString();
        Assert.DoesNotContain("services:create_backend_apis", hook, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_refuses_a_manifest_without_its_file_list_and_a_file_it_does_not_list()
    {
        Assert.Equal(0, (await Ciupgrade("backup", "--backup-dir", Backups)).Code);
        var backup = LatestBackup(Backups);
        await File.WriteAllTextAsync(Path.Combine(backup, "notes.txt"), "added by hand");
        Cluster.ClearRequests();

        var (unlisted, _, unlistedError) = await Ciupgrade("rollback", "--backup-dir", backup);
        var manifest = Manifest(backup);
        manifest.Remove("files");
        await File.WriteAllTextAsync(Path.Combine(backup, "manifest.json"), manifest.ToJsonString());
        var (noList, _, noListError) = await Ciupgrade("rollback", "--backup-dir", backup);

        Assert.Equal(2, unlisted);
        Assert.Contains("notes.txt is not listed in manifest.json", unlistedError, StringComparison.Ordinal);
        Assert.Equal(2, noList);
        Assert.Contains("manifest.json lists no files with their sha256", noListError, StringComparison.Ordinal);
        Assert.Single(noListError.Trim().Split('\n'));
        Assert.DoesNotContain(Cluster.Requests, r => r.Method != "GET");
    }

    [Theory]
    [InlineData("", "image streams amp-system, amp-apicast")]
    [InlineData("amp-apicast", "image streams amp-system, amp-backend")]
    public async Task Rollback_refuses_a_backup_without_a_plan_stream_the_namespace_has_and_changes_nothing(string kept, string expected)
    {
        Assert.Equal(0, (await Ciupgrade("backup", "--backup-dir", Backups)).Code);
        var saved = JsonNode.Parse(File.ReadAllText(Path.Combine(LatestBackup(Backups), "imagestreams.json")))!;
        var items = (saved as JsonArray ?? saved["items"]!.AsArray()).Where(s => (string?)s!["metadata"]!["name"] == kept).Select(s => s!.DeepClone()).ToArray();
        Rewrite(LatestBackup(Backups), "imagestreams.json", new JsonArray(items).ToJsonString());
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code);
        Assert.Equal(0, (await Ciupgrade("patch-imagestreams")).Code);
        Cluster.ClearRequests();

        var (code, _, error) = await Ciupgrade("rollback", "--backup-dir", Backups);

        Assert.True(code == 2, error);
        Assert.True(error.Contains($"cannot return the whole install: the namespace has {expected}", StringComparison.Ordinal), error);
        Assert.Contains("nothing was changed", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Cluster.Requests, r => r.Method is not ("GET" or "POST") || (r.Method == "POST" && !r.Path.Contains("selfsubjectaccessreviews", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Rollback_waits_for_the_plans_deployment_configs_only()
    {
        Cluster.Registry.Create("deploymentconfigs", Ns, (JsonObject)JsonNode.Parse("""
            {"apiVersion":"apps.openshift.io/v1","kind":"DeploymentConfig","metadata":{"name":"custom-cache"},
             "spec":{"replicas":1,"selector":{"deploymentconfig":"custom-cache"},"strategy":{"type":"Recreate"},
                     "template":{"metadata":{"labels":{"deploymentconfig":"custom-cache"}},"spec":{"containers":[{"name":"cache","image":"registry.example/cache@sha256:0000000000000000000000000000000000000000000000000000000000000001"}]}},
                     "triggers":[{"type":"ConfigChange"}]}}
            """)!);
        await Cluster.WaitForIdleAsync(Timeout);
        Assert.Equal(0, (await Ciupgrade("backup", "--backup-dir", Backups)).Code);
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code);
        // The operator's own DC starts a rollout that cannot finish: not the upgrade's to wait for.
        Cluster.ControllerFaults.StickDeploymentConfig(Ns, "custom-cache");
        Cluster.Registry.Modify("deploymentconfigs", Ns, "custom-cache", dc =>
        {
            dc["spec"]!["template"]!["spec"]!["containers"]![0]!["env"] = new JsonArray(new JsonObject { ["name"] = "SIZE", ["value"] = "2" });
            return dc;
        });

        var (code, _, error) = await Ciupgrade("rollback", "--backup-dir", Backups);

        Assert.True(code == 0, error);
    }
}
