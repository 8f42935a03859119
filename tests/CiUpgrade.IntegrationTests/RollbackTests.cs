using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Api;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.IntegrationTests;

public class RollbackTests : UpgradeTest
{
    private string Backup => Path.Combine(Dir, "backup");

    private Dictionary<string, string> DcImages() => Cluster.Registry.List("deploymentconfigs", Ns).Items.ToDictionary(d => d.Name(), d =>
        string.Join(",", (d["spec"]!["template"]!["spec"]!["initContainers"]?.AsArray() ?? []).Concat(d["spec"]!["template"]!["spec"]!["containers"]!.AsArray())
            .Select(c => $"{c!["name"]}={c["image"]}")));

    private Dictionary<string, string> StreamTags() => Cluster.Registry.List("imagestreams", Ns).Items.ToDictionary(s => s.Name(), s =>
        string.Join(";", s["spec"]!["tags"]!.AsArray().Select(t => $"{t!["name"]}|{t["from"]!.ToJsonString()}")));

    private string AppRelease() => Get("deploymentconfigs", "system-app")["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray()
        .Single(e => (string?)e!["name"] == "AMP_RELEASE")!.ToJsonString();

    /// <summary>update-prehook, then patch-imagestreams failing at amp-system's import: system-app never rolled, so the 2.7 migration has not run.</summary>
    private async Task HalfUpgradeBeforeTheMigrationAsync()
    {
        Assert.Equal(0, (await Ciupgrade("backup", "--backup-dir", Backup)).Code);
        Cluster.ControllerFaults.FailImport("registry.redhat.io/3scale-amp2/system-rhel7:3scale2.7");
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code);
        Assert.Equal(4, (await Ciupgrade("patch-imagestreams")).Code);
        Cluster.ControllerFaults.ClearImportFailure("registry.redhat.io/3scale-amp2/system-rhel7:3scale2.7");
    }

    [Fact]
    public async Task Rollback_after_a_full_upgrade_with_restore_data_returns_the_backups_images_tags_and_release()
    {
        var images = DcImages();
        var tags = StreamTags();
        var release = AppRelease();
        await UpgradeAsync(databases: true);
        Assert.NotEqual(images, DcImages());

        var (code, output, error) = await Ciupgrade("rollback", "--backup-dir", Backup, "--restore-data");
        await Cluster.WaitForIdleAsync(Timeout);

        Assert.True(code == 0, error);
        Assert.Contains("[rollback] data restore: the 2.7 migration has run", output, StringComparison.Ordinal);
        Assert.Equal(images, DcImages());
        Assert.Equal(tags, StreamTags());
        Assert.Equal(release, AppRelease());
        Assert.Contains("configMapKeyRef", release, StringComparison.Ordinal);
        Assert.Equal(0, (await Ciupgrade("preflight")).Code);
    }

    [Fact]
    public async Task Rollback_before_the_migration_ran_returns_the_images_alone()
    {
        var images = DcImages();
        var tags = StreamTags();
        var release = AppRelease();
        await HalfUpgradeBeforeTheMigrationAsync();

        var (code, output, error) = await Ciupgrade("rollback", "--backup-dir", Backup);
        await Cluster.WaitForIdleAsync(Timeout);

        Assert.True(code == 0, error);
        Assert.Contains("[rollback] image-only rollback: the 2.7 migration has not run on the database", output, StringComparison.Ordinal);
        Assert.Equal(images, DcImages());
        Assert.Equal(tags, StreamTags());
        Assert.Equal(release, AppRelease());
        Assert.Equal(0, (await Ciupgrade("preflight")).Code);
    }

    [Fact]
    public async Task Rollback_after_the_migration_without_restore_data_refuses_with_exit_4_and_changes_nothing()
    {
        var images = DcImages();
        Assert.Equal(0, (await Ciupgrade("backup", "--backup-dir", Backup)).Code);
        Cluster.ControllerFaults.FailImport("registry.redhat.io/3scale-amp2/zync-rhel7:3scale2.7");
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code);
        Assert.Equal(4, (await Ciupgrade("patch-imagestreams")).Code); // amp-system rolled system-app (its hook migrated) before zync's import failed
        Cluster.ControllerFaults.ClearImportFailure("registry.redhat.io/3scale-amp2/zync-rhel7:3scale2.7");
        var upgraded = DcImages();
        Cluster.ClearRequests();

        var (code, _, error) = await Ciupgrade("rollback", "--backup-dir", Backup);

        Assert.Equal(4, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("the 2.7 migration has run on the system database", error, StringComparison.Ordinal);
        Assert.Contains("it has no dump of system-mysql (take backups with --databases)", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Cluster.Requests, r => r.Method is "PATCH" or "PUT" or "DELETE" || (r.Method == "POST" && !r.Path.Contains("selfsubjectaccessreviews", StringComparison.Ordinal)));
        Assert.Equal(upgraded, DcImages());
        Assert.NotEqual(images, upgraded);
    }

    [Fact]
    public async Task Rerunning_rollback_sends_no_patch()
    {
        await HalfUpgradeBeforeTheMigrationAsync();
        Assert.Equal(0, (await Ciupgrade("rollback", "--backup-dir", Backup)).Code);
        await Cluster.WaitForIdleAsync(Timeout);
        Cluster.ClearRequests();

        var (code, _, _) = await Ciupgrade("rollback", "--backup-dir", Backup);

        Assert.Equal(0, code);
        Assert.DoesNotContain(Cluster.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task Rollback_can_keep_the_target_tag()
    {
        await HalfUpgradeBeforeTheMigrationAsync();

        Assert.Equal(0, (await Ciupgrade("rollback", "--backup-dir", Backup, "--keep-target-tag")).Code);

        Assert.Contains("2.7|", StreamTags()["amp-system"], StringComparison.Ordinal);
        Assert.Contains("latest|{\"kind\":\"ImageStreamTag\",\"name\":\"2.6\"}", StreamTags()["amp-system"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_refuses_a_backup_of_another_namespace()
    {
        Assert.Equal(0, (await Ciupgrade("backup", "--backup-dir", Backup)).Code);
        var manifest = Path.Combine(LatestBackup(Backup), "manifest.json");
        var json = JsonNode.Parse(await File.ReadAllTextAsync(manifest))!;
        json["namespace"] = "elsewhere";
        await File.WriteAllTextAsync(manifest, json.ToJsonString());

        var (code, _, error) = await Ciupgrade("rollback", "--backup-dir", LatestBackup(Backup));

        Assert.Equal(2, code);
        Assert.Contains("holds a backup of namespace elsewhere, not 3scale", error, StringComparison.Ordinal);
    }
}

/// <summary>The same scenarios against OpenShift 4.x (server-side dry run, watch bookmarks).</summary>
public sealed class RollbackOn4xTests : RollbackTests
{
    protected override ServerVersion ServerVersion => ServerVersion.OpenShift4;
}
