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
        Assert.Equal(0, (await Ciupgrade("backup", "--backup-dir", Backups)).Code);
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

        var (code, rollbackOutput, rollbackError) = await Ciupgrade("rollback", "--backup-dir", Backups);
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
}
