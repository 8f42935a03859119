using System.Text;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.IntegrationTests;

/// <summary>Step 2.2 of the guide: system-app's pre hook runs the 2.7 migration, in amp-system's rollout, on the 2.7 image.</summary>
public sealed class PreHookTests : UpgradeTest
{
    private const string Script26 = "bundle exec rake boot openshift:deploy MASTER_ACCESS_TOKEN=\"{T}\"";
    private const string Script27 = Script26 + " && bundle exec rake services:create_backend_apis services:update_metric_owners proxy:update_proxy_rule_owners";

    private string Token => Encoding.UTF8.GetString(Convert.FromBase64String((string)Get("secrets", "system-seed")["data"]!["MASTER_ACCESS_TOKEN"]!));

    private string[] Command(string script) => ["bash", "-c", script.Replace("{T}", Token, StringComparison.Ordinal)];

    private IReadOnlyList<string> HookCommand() =>
        Get("deploymentconfigs", "system-app")["spec"]!["strategy"]!["rollingParams"]!["pre"]!["execNewPod"]!["command"]!.AsArray().Select(c => (string)c!).ToList();

    private void SetHook(params string[] command) =>
        Cluster.Registry.Modify("deploymentconfigs", Ns, "system-app", dc =>
        {
            dc["spec"]!["strategy"]!["rollingParams"]!["pre"]!["execNewPod"]!["command"] = new JsonArray(command.Select(c => (JsonNode?)c).ToArray());
            return dc;
        });

    [Fact]
    public async Task Full_chain_runs_the_27_hook_command_on_the_27_image_in_amp_systems_rollout()
    {
        var (code, output, error) = await Ciupgrade("update-prehook");
        await Cluster.WaitForIdleAsync(Timeout);

        Assert.True(code == 0, error);
        Assert.Equal(Command(Script27), HookCommand());
        Assert.Equal(1, LatestVersion("system-app")); // a strategy change starts no rollout
        Assert.Contains("***", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, output, StringComparison.Ordinal);

        await UpgradeAsync();

        var run = Assert.Single(Cluster.HookRuns, r => r.ReplicationController == "system-app-2");
        Assert.StartsWith("registry.redhat.io/3scale-amp2/system-rhel7@sha256:", run.Image, StringComparison.Ordinal);
        Assert.Equal(Command(Script27), run.Command);
        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain(Cluster.HookRuns, r => r.ExitCode != 0 || r.Image.Contains("/3scale-amp26/", StringComparison.Ordinal));
        var suite = await VerifyAsync(0);
        Assert.Null(suite.Elements("testcase").Single(t => (string?)t.Attribute("name") == "pre-hook").Element("failure"));
    }

    [Fact]
    public async Task Update_prehook_sends_one_guarded_patch_and_nothing_when_rerun()
    {
        Cluster.ClearRequests();
        await Ciupgrade("update-prehook");
        var first = Cluster.Requests.Where(r => r.Method == "PATCH").ToList();
        Cluster.ClearRequests();

        var (code, output, _) = await Ciupgrade("update-prehook");

        var patch = Assert.Single(first);
        Assert.Equal("/apis/apps.openshift.io/v1/namespaces/3scale/deploymentconfigs/system-app", patch.Path);
        var ops = JsonNode.Parse(patch.Body!)!.AsArray();
        Assert.Equal(["test", "test", "replace"], ops.Select(o => (string?)o!["op"]));
        Assert.Equal(0, code);
        Assert.DoesNotContain(Cluster.Requests, r => r.Method == "PATCH");
        Assert.Contains("system-app: pre hook command already the 2.7 one", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dry_run_changes_nothing_and_prints_the_patch_with_the_token_masked()
    {
        var before = HookCommand();

        var (code, output, _) = await Ciupgrade("update-prehook", "--dry-run");

        Assert.Equal(0, code);
        Assert.Equal(before, HookCommand());
        Assert.Contains("system-app: would send JSON patch", output, StringComparison.Ordinal);
        Assert.Contains("***", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_customised_hook_is_refused_with_exit_4_naming_the_difference_and_force_replaces_it()
    {
        SetHook(Command(Script26 + " && echo migrated"));

        var (code, _, error) = await Ciupgrade("update-prehook");
        var (forced, output, forcedError) = await Ciupgrade("update-prehook", "--force");

        Assert.Equal(4, code);
        Assert.Contains("system-app's pre hook command is customised", error, StringComparison.Ordinal);
        Assert.Contains("it has \"&& echo migrated\" where the expected command has nothing", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, error + output, StringComparison.Ordinal);
        Assert.True(forced == 0, forcedError);
        Assert.Equal(Command(Script27), HookCommand());
    }

    [Theory]
    [InlineData("missing", "secret system-seed not found in namespace 3scale")]
    [InlineData("empty", "secret system-seed in namespace 3scale has an empty key MASTER_ACCESS_TOKEN")]
    [InlineData("no-key", "secret system-seed in namespace 3scale has no key MASTER_ACCESS_TOKEN")]
    public async Task A_missing_or_empty_token_is_refused_with_exit_4(string how, string message)
    {
        if (how == "missing")
        {
            Cluster.Registry.Delete("secrets", Ns, "system-seed");
        }
        else
        {
            Cluster.Registry.Modify("secrets", Ns, "system-seed", s =>
            {
                if (how == "empty")
                {
                    s["data"]!["MASTER_ACCESS_TOKEN"] = string.Empty;
                }
                else
                {
                    s["data"]!.AsObject().Remove("MASTER_ACCESS_TOKEN");
                }

                return s;
            });
        }

        Cluster.ClearRequests();
        var (code, _, error) = await Ciupgrade("update-prehook");

        Assert.Equal(4, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain(Cluster.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task Patch_imagestreams_refuses_to_start_amp_system_while_the_hook_is_not_the_targets()
    {
        Cluster.ClearRequests();

        var (code, _, error) = await Ciupgrade("patch-imagestreams");

        Assert.Equal(4, code);
        Assert.Contains("system-app's pre hook is not the 2.7 command yet: run `ciupgrade update-prehook` first", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Cluster.Requests, r => r.Method == "PATCH");
        Assert.Equal(1, LatestVersion("system-app"));
    }

    [Fact]
    public async Task A_failing_hook_fails_the_rollout_with_exit_5_its_reason_and_the_tail_of_its_log()
    {
        Cluster.ControllerFaults.FailHook(Ns, "system-app", 1,
            ["starting migration", $"connecting with MASTER_ACCESS_TOKEN={Token}", "rake aborted!", "Mysql2::Error: Lost connection to MySQL server during query"]);
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code);

        var (code, output, error) = await Ciupgrade("patch-imagestreams");

        Assert.Equal(5, code);
        Assert.Contains("rollout of DeploymentConfig system-app failed", error, StringComparison.Ordinal);
        Assert.Contains("pre hook pod system-app-2-hook-pre failed: DeadlineExceeded", error, StringComparison.Ordinal);
        Assert.Contains("last exit: Error (exit code 1)", error, StringComparison.Ordinal);
        Assert.Contains("last lines of its log (oc logs system-app-2-hook-pre): starting migration | connecting with MASTER_ACCESS_TOKEN=*** | rake aborted! | Mysql2::Error: Lost connection to MySQL server during query", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
        Assert.DoesNotContain(Token, output + error, StringComparison.Ordinal);
        var log = Assert.Single(Cluster.Requests, r => r.Path.EndsWith("/pods/system-app-2-hook-pre/log", StringComparison.Ordinal));
        Assert.Contains("tailLines=10", log.Query, StringComparison.Ordinal);
        Assert.Contains("limitBytes=4096", log.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_restores_the_backed_up_hook_command_before_the_26_image_rolls_out()
    {
        var before = HookCommand();
        await UpgradeAsync(databases: true); // backup, then update-prehook, as the pipeline runs them

        var (code, _, error) = await Ciupgrade("rollback", "--backup-dir", Path.Combine(Dir, "backup"), "--restore-data");

        Assert.True(code == 0, error);
        Assert.Equal(before, HookCommand());
        var last = Cluster.HookRuns.Last(r => r.DeploymentConfig == "system-app");
        Assert.True(Command(Script26).SequenceEqual(last.Command) && last.ExitCode == 0, string.Join("\n", Cluster.HookRuns.Select(r => $"{r.ReplicationController} {r.Image} {r.ExitCode} {string.Join("|", r.Command)}")));
        Assert.Contains("/3scale-amp26/", last.Image, StringComparison.Ordinal);
        Assert.DoesNotContain(Cluster.HookRuns, r => r.ExitCode != 0);
    }

    [Fact]
    public async Task The_token_appears_in_no_output_of_a_full_run()
    {
        var token = Token;
        var outputs = new List<string>();
        async Task Run(params string[] args)
        {
            foreach (var format in new[] { "text", "json" })
            {
                var (_, output, error) = await Ciupgrade([.. args, "--output", format]);
                outputs.Add(output);
                outputs.Add(error);
            }
        }

        var backup = Path.Combine(Dir, "backup");
        await Run("preflight", "--results-dir", Path.Combine(Dir, "results-preflight"));
        await Run("plan");
        await Run("backup", "--backup-dir", backup);
        await Run("update-prehook", "--dry-run");
        await Run("update-prehook");
        await Run("plan");
        await Run("patch-imagestreams", "--dry-run");
        await Run("patch-imagestreams");
        await Run("set-release");
        await Run("verify", "--junit", Path.Combine(Dir, "verify.xml"), "--results-dir", Path.Combine(Dir, "results-verify"));
        await Run("drift", "--junit", Path.Combine(Dir, "drift.xml"), "--results-dir", Path.Combine(Dir, "results-drift"));
        SetHook("bash", "-c", $"echo {token} && " + Script27.Replace("{T}", token, StringComparison.Ordinal));
        await Run("verify", "--junit", Path.Combine(Dir, "verify-drifted.xml"));
        await Run("update-prehook");
        await Run("rollback", "--backup-dir", backup);

        // The backup's deploymentconfigs.json holds system-app exactly as the server returns it, and the 2.6 template
        // puts the literal token into the hook command: that file (mode 0600, see README) legitimately holds it.
        var files = Directory.GetFiles(Dir, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) is not ("deploymentconfigs.json" or "kubeconfig") && !Path.GetFileName(f).StartsWith("secrets", StringComparison.Ordinal))
            .ToList();
        Assert.Contains(files, f => f.EndsWith("verify.xml", StringComparison.Ordinal));
        Assert.Contains(outputs, o => o.Contains("***", StringComparison.Ordinal));
        Assert.All(outputs, o => Assert.DoesNotContain(token, o, StringComparison.Ordinal));
        Assert.All(files, f => Assert.DoesNotContain(token, File.ReadAllText(f), StringComparison.Ordinal));
    }
}
