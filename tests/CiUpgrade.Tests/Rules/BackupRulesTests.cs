using System.Text.Json.Nodes;
using CiUpgrade.Rules;

namespace CiUpgrade.Tests.Rules;

/// <summary>The pre-upgrade decision, backup validation and backup naming: pure rules of backup and rollback.</summary>
public sealed class BackupRulesTests
{
    private static Dictionary<string, IReadOnlyList<SavedTag>> Streams(Func<string, IReadOnlyList<SavedTag>> tags) =>
        Samples.Plan.ImageStreams.ToDictionary(s => s.Name, s => tags(s.Name), StringComparer.Ordinal);

    private static IReadOnlyList<SavedTag> Fresh(string stream) => [new("2.6", "DockerImage", "registry.example/x:2.6"), new("latest", "ImageStreamTag", "2.6")];

    [Fact]
    public void A_26_install_untouched_is_pre_upgrade()
    {
        Assert.Null(PreUpgradeCheck.WhyNot(Samples.Plan, Streams(Fresh), "2.6", oracle: false));
        Assert.Null(PreUpgradeCheck.WhyNot(Samples.Plan, Streams(s => [new("latest", "ImageStreamTag", $"{s}:2.6")]), "2.6", oracle: false));
    }

    [Fact]
    public void A_target_tag_on_any_stream_or_a_moved_latest_is_not_pre_upgrade_although_the_release_is_still_the_source()
    {
        var withTarget = Streams(s => s == "amp-zync" ? [.. Fresh(s), new("2.7", "DockerImage", "registry.example/zync:2.7")] : Fresh(s));
        var moved = Streams(s => s == "amp-backend" ? [new("2.6", "DockerImage", "x"), new("latest", "DockerImage", "registry.example/backend:2.7")] : Fresh(s));

        Assert.Equal("image stream amp-zync already has tag 2.7", PreUpgradeCheck.WhyNot(Samples.Plan, withTarget, "2.6", oracle: false));
        Assert.Equal("amp-backend:latest points at DockerImage registry.example/backend:2.7, not amp-backend:2.6", PreUpgradeCheck.WhyNot(Samples.Plan, moved, "2.6", oracle: false));
        Assert.Contains("AMP_RELEASE=2.7", PreUpgradeCheck.WhyNot(Samples.Plan, Streams(Fresh), "2.7", oracle: false), StringComparison.Ordinal);
    }

    [Fact]
    public void An_oracle_amp_system_latest_pushed_by_the_build_is_still_pre_upgrade()
    {
        var oracle = Streams(s => s == "amp-system" ? [new("2.6", "DockerImage", "x"), new("latest", null, null)] : Fresh(s));

        Assert.Null(PreUpgradeCheck.WhyNot(Samples.Plan, oracle, "2.6", oracle: true));
        Assert.NotNull(PreUpgradeCheck.WhyNot(Samples.Plan, oracle, "2.6", oracle: false));
    }

    [Fact]
    public void A_namespace_whose_pre_hook_already_runs_the_target_migration_is_not_pre_upgrade_whatever_the_token()
    {
        var hook = Samples.Plan.PreHook!;
        string[] Rendered(IReadOnlyList<string> template, string token) => [.. PreHookCommand.Render(template, hook, token)];

        Assert.Equal("system-app's pre hook already runs the 2.7 migration (update-prehook ran)",
            PreUpgradeCheck.WhyNot(Samples.Plan, Streams(Fresh), "2.6", oracle: false, Rendered(hook.Target, "s3cr3t")));
        Assert.Null(PreUpgradeCheck.WhyNot(Samples.Plan, Streams(Fresh), "2.6", oracle: false, Rendered(hook.Source, "s3cr3t")));
        Assert.Null(PreUpgradeCheck.WhyNot(Samples.Plan, Streams(Fresh), "2.6", oracle: false, ["bash", "-c", "a customised hook"]));
        Assert.Null(PreUpgradeCheck.WhyNot(Samples.Plan, Streams(Fresh), "2.6", oracle: false, preHook: null));
    }

    [Fact]
    public void A_manifest_must_list_every_file_of_the_backup_with_its_sha256()
    {
        var sha = new string('a', 64);
        var manifest = new JsonObject
        {
            ["files"] = new JsonObject
            {
                ["imagestreams.json"] = new JsonObject { ["sha256"] = sha },
                ["secrets.json"] = new JsonObject { ["sha256"] = sha },
                ["routes.json"] = new JsonObject { ["bytes"] = 3 },
            },
        };

        Assert.Single(BackupValidation.FileListProblems(JsonNode.Parse("{}"), ["imagestreams.json"]));
        Assert.Contains("lists no files with their sha256", BackupValidation.FileListProblems(JsonNode.Parse("{}"), [])[0], StringComparison.Ordinal);
        Assert.Equal(
            ["extra.json is not listed in manifest.json", "secrets.json is listed in manifest.json but missing", "manifest.json: files.routes.json has no sha256"],
            BackupValidation.FileListProblems(manifest, ["manifest.json", "imagestreams.json", "routes.json", "extra.json"]));
        Assert.Equal(["manifest.json: files.routes.json has no sha256"], BackupValidation.FileListProblems(manifest, ["manifest.json", "imagestreams.json", "secrets.json"]));
    }

    [Fact]
    public void A_rollback_needs_every_plan_stream_the_namespace_has_and_waits_for_the_plans_deployment_configs_only()
    {
        var (backup, _) = BackupValidation.Validate(
            JsonNode.Parse("""{"namespace":"3scale","release":"2.6"}"""),
            JsonNode.Parse("""[{"metadata":{"name":"amp-apicast"},"spec":{"tags":[]}}]"""),
            JsonNode.Parse("""[{"metadata":{"name":"system-app"}}]"""));

        Assert.Null(RollbackCoverage.Missing(Samples.Plan, ["amp-apicast", "unrelated"], backup!));
        Assert.Equal("the namespace has image streams amp-system, amp-backend, which are not in its imagestreams.json",
            RollbackCoverage.Missing(Samples.Plan, ["amp-backend", "amp-apicast", "amp-system"], backup!));
        Assert.Contains("system-redis", RollbackCoverage.PlanDeploymentConfigs(Samples.Plan));
        Assert.DoesNotContain("custom-cron", RollbackCoverage.PlanDeploymentConfigs(Samples.Plan));
    }

    [Fact]
    public void A_valid_backup_gives_its_content()
    {
        var (content, problems) = BackupValidation.Validate(
            JsonNode.Parse("""{"namespace":"3scale","release":"2.6","preUpgrade":true,"images":{"system-app":{"system-master":"img"}}}"""),
            JsonNode.Parse("""[{"metadata":{"name":"amp-system"},"spec":{"tags":[{"name":"latest","from":{"kind":"ImageStreamTag","name":"2.6"}}]}}]"""),
            JsonNode.Parse("""{"items":[{"metadata":{"name":"system-app"},"spec":{"template":{"spec":{"containers":[{"name":"system-master","env":[{"name":"AMP_RELEASE","value":"2.6"}]}]}}}}]}"""));

        Assert.Empty(problems);
        Assert.Equal(("3scale", "2.6", true), (content!.Namespace, content.Release, content.PreUpgrade));
        Assert.Equal([new SavedTag("latest", "ImageStreamTag", "2.6")], content.Tags["amp-system"]);
        Assert.Equal("img", content.Images["system-app"]["system-master"]);
    }

    /// <summary>Every JSON value in every place rollback reads: validation answers with problems, never throws.</summary>
    [Fact]
    public void Wrong_json_types_anywhere_give_problems_never_an_exception()
    {
        string[] values = ["null", "1", "\"x\"", "true", "[]", "{}", "[1]", "[\"x\"]", "[{}]", "{\"a\":1}"];
        var validManifest = """{"namespace":"3scale","release":"2.6","preUpgrade":true,"images":{"a":{"b":"c"}}}""";
        var validStreams = """[{"metadata":{"name":"s"},"spec":{"tags":[{"name":"t","from":{"kind":"k","name":"n"},"annotations":{"a":"b"}}]}}]""";
        var validDcs = """[{"metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"c","env":[{"name":"e"}]}]}}}}]""";
        var manifestPaths = new[] { "", "namespace", "release", "preUpgrade", "oracle", "runId", "images", "images.a", "images.a.b" };
        var streamPaths = new[] { "", "0", "0.metadata", "0.metadata.name", "0.spec", "0.spec.tags", "0.spec.tags.0", "0.spec.tags.0.name", "0.spec.tags.0.from", "0.spec.tags.0.from.kind", "0.spec.tags.0.annotations", "0.spec.tags.0.annotations.a" };
        var dcPaths = new[] { "", "0", "0.metadata.name", "0.spec", "0.spec.template.spec.containers", "0.spec.template.spec.containers.0", "0.spec.template.spec.containers.0.name", "0.spec.template.spec.containers.0.env", "0.spec.template.spec.containers.0.env.0", "0.spec.template.spec.containers.0.env.0.name" };
        var checkedCases = 0;
        foreach (var value in values)
        {
            foreach (var path in manifestPaths)
            {
                Check(Replace(validManifest, path, value), JsonNode.Parse(validStreams), JsonNode.Parse(validDcs));
            }

            foreach (var path in streamPaths)
            {
                Check(JsonNode.Parse(validManifest), Replace(validStreams, path, value), JsonNode.Parse(validDcs));
            }

            foreach (var path in dcPaths)
            {
                Check(JsonNode.Parse(validManifest), JsonNode.Parse(validStreams), Replace(validDcs, path, value));
            }
        }

        Assert.True(checkedCases > 250);

        void Check(JsonNode? manifest, JsonNode? streams, JsonNode? dcs)
        {
            var (content, problems) = BackupValidation.Validate(manifest, streams, dcs);
            Assert.True(content is null != (problems.Count == 0));
            if (content is not null)
            {
                _ = content.Tags;
            }

            checkedCases++;
        }
    }

    [Fact]
    public void Backup_names_sort_newest_first_with_same_second_counters_and_ignore_other_entries()
    {
        var t = new DateTimeOffset(2026, 11, 25, 19, 35, 51, TimeSpan.Zero);

        Assert.Equal("20261125T193551Z", BackupNames.For(t, 1));
        Assert.Equal("20261125T193551Z-2", BackupNames.For(t, 2));
        Assert.Equal(["20261125T193551Z-10", "20261125T193551Z-2", "20261125T193551Z", "20261124T235959Z"],
            BackupNames.NewestFirst(["20261124T235959Z", "20261125T193551Z", "latest", "20261125T193551Z-2", ".20261125T193551Z-x.partial", "20261125T193551Z-10", "notes"]));
    }

    [Fact]
    public void A_saved_object_loses_what_ties_it_to_this_cluster_and_keeps_everything_else()
    {
        var service = JsonNode.Parse("""
            {"metadata":{"name":"system-mysql","namespace":"3scale","uid":"u","resourceVersion":"7","generation":2,"creationTimestamp":"t","selfLink":"/x",
              "managedFields":[{}],"ownerReferences":[{"uid":"o"}],"labels":{"app":"3scale"},
              "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}","keep":"me"}},
             "spec":{"clusterIP":"172.30.0.9","clusterIPs":["172.30.0.9"],"ports":[{"port":3306}]},"status":{"loadBalancer":{}}}
            """)!.AsObject();

        var saved = ReappliableObject.From(service, "Service", "v1");

        Assert.Equal("""{"kind":"Service","apiVersion":"v1","metadata":{"name":"system-mysql","labels":{"app":"3scale"},"annotations":{"keep":"me"}},"spec":{"ports":[{"port":3306}]}}""", saved.ToJsonString());
        var headless = JsonNode.Parse("""{"metadata":{"name":"h","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"}},"spec":{"clusterIP":"None"}}""")!.AsObject();
        Assert.Equal("""{"kind":"Service","apiVersion":"v1","metadata":{"name":"h"},"spec":{"clusterIP":"None"}}""", ReappliableObject.From(headless, "Service", "v1").ToJsonString());
    }

    [Fact]
    public void Tekton_can_set_the_databases_switch_from_a_param()
    {
        Assert.Equal(["backup", "--databases"], CiUpgrade.Cli.CliApp.SwitchValues(["backup", "--databases=true"]));
        Assert.Equal(["backup"], CiUpgrade.Cli.CliApp.SwitchValues(["backup", "--databases=false"]));
        Assert.Equal(["backup", "--databases"], CiUpgrade.Cli.CliApp.SwitchValues(["backup", "--databases"]));
    }

    private static JsonNode? Replace(string json, string path, string value)
    {
        var root = JsonNode.Parse(json);
        if (path.Length == 0)
        {
            return JsonNode.Parse(value);
        }

        var parts = path.Split('.');
        var node = root;
        foreach (var part in parts[..^1])
        {
            node = node is JsonArray a ? a[int.Parse(part, System.Globalization.CultureInfo.InvariantCulture)] : node![part];
        }

        var last = parts[^1];
        if (node is JsonArray array)
        {
            array[int.Parse(last, System.Globalization.CultureInfo.InvariantCulture)] = JsonNode.Parse(value);
        }
        else
        {
            node![last] = JsonNode.Parse(value);
        }

        return root;
    }
}
