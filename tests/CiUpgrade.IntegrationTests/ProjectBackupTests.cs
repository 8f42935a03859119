using System.Text.Json.Nodes;

namespace CiUpgrade.IntegrationTests;

/// <summary>The project backup of runbook §2.1: every kind the guide lists, one re-appliable file per kind (issue 10).</summary>
public sealed class ProjectBackupTests : UpgradeTest
{
    private static readonly string[] ServerOwned = ["uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink", "namespace"];

    private string Backups => Path.Combine(Dir, "backups");

    /// <summary>Sorted keys, no nulls: the same object however a client orders or omits empty fields.</summary>
    private static string Canonical(JsonNode? node) => node switch
    {
        JsonObject o => "{" + string.Join(",", o.Where(kv => kv.Value is not null).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"\"{kv.Key}\":{Canonical(kv.Value)}")) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Canonical)) + "]",
        null => "null",
        _ => node.ToJsonString(),
    };

    [Fact]
    public async Task Every_kind_present_gets_one_file_of_reappliable_objects_that_kubectl_applies_into_a_fresh_namespace()
    {
        // Kinds the seed lacks, in the group versions a 3.11 server serves them in.
        Cluster.Registry.Create("cronjobs", Ns, JsonNode.Parse("""
            {"apiVersion":"batch/v1beta1","kind":"CronJob","metadata":{"name":"nightly-report","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"}},
             "spec":{"schedule":"0 3 * * *","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"r","image":"registry.example/r:1"}]}}}}}}
            """)!.AsObject());
        Cluster.Registry.Create("templates", Ns, JsonNode.Parse("""
            {"apiVersion":"template.openshift.io/v1","kind":"Template","metadata":{"name":"extra"},"objects":[],"parameters":[{"name":"X","value":"1"}]}
            """)!.AsObject());

        var (code, output, error) = await Ciupgrade("backup", "--backup-dir", Backups);

        Assert.True(code == 0, error);
        var dir = LatestBackup(Backups);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "manifest.json")))!.AsObject();
        var kinds = manifest["kinds"]!.AsArray().OfType<JsonObject>().ToDictionary(k => (string)k["resource"]!);
        Assert.Equal(18, kinds.Count + manifest["skipped"]!.AsArray().Count);
        Assert.Equal("batch/v1beta1", (string?)kinds["cronjobs"]["apiVersion"]);
        foreach (var resource in new[] { "imagestreams", "deploymentconfigs", "services", "routes", "configmaps", "secrets", "serviceaccounts", "rolebindings", "persistentvolumeclaims", "templates", "cronjobs" })
        {
            Assert.True((int)kinds[resource]["count"]! > 0, resource);
            Assert.Equal($"{resource}.json", (string?)kinds[resource]["file"]);
        }

        Assert.Equal(0, (int)kinds["statefulsets"]["count"]!);
        Assert.False(File.Exists(Path.Combine(dir, "statefulsets.json")));
        Assert.Contains("saved", output, StringComparison.Ordinal);
        var files = Directory.EnumerateFiles(dir).Where(f => Path.GetFileName(f) != "manifest.json").ToList();
        Assert.Equal(11, files.Count);
        foreach (var file in files)
        {
            Assert.True(new FileInfo(file).Length > 0, file);
            var list = JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsObject();
            Assert.Equal(("List", "v1"), ((string?)list["kind"], (string?)list["apiVersion"]));
            Assert.Equal((int)manifest["files"]![Path.GetFileName(file)]!["count"]!, list["items"]!.AsArray().Count);
            foreach (var item in list["items"]!.AsArray().OfType<JsonObject>())
            {
                Assert.Null(item["status"]);
                Assert.All(ServerOwned, f => Assert.Null(item["metadata"]![f]));
                Assert.Null(item["metadata"]!["annotations"]?["kubectl.kubernetes.io/last-applied-configuration"]);
            }
        }

        Cluster.Registry.Create("namespaces", string.Empty, JsonNode.Parse("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"restored"}}""")!.AsObject());
        foreach (var file in files)
        {
            var (applied, stdout, stderr) = await Shell(Kubeconfig, $"kubectl apply -n restored -f '{file}'");
            Assert.True(applied == 0, $"{Path.GetFileName(file)}: {stderr}{stdout}");
        }

        foreach (var (resource, entry) in kinds.Where(k => (int)k.Value["count"]! > 0))
        {
            // The token controller gives every account of the new namespace its own token Secret (3.11): only the others compare.
            static bool Restorable(JsonObject o) => (string?)o["type"] != "kubernetes.io/service-account-token";
            var before = Cluster.Registry.List(resource, Ns).Items.Where(Restorable).ToList();
            var after = Cluster.Registry.List(resource, "restored").Items.Where(Restorable).ToDictionary(o => (string)o["metadata"]!["name"]!);
            Assert.Equal(before.Count, after.Count);
            foreach (var original in before)
            {
                var copy = after[(string)original["metadata"]!["name"]!];
                Assert.Equal(Canonical(original["data"]), Canonical(copy["data"]));
                if (resource != "imagestreams")
                {
                    // The server sets each tag's generation anew; everything else of every spec comes back as it was.
                    Assert.Equal(Canonical(original["spec"]), Canonical(copy["spec"]));
                }
            }
        }
    }
}
