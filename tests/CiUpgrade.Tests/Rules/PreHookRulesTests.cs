using CiUpgrade.Cluster.Models;
using CiUpgrade.Rules;
using k8s.Models;

namespace CiUpgrade.Tests.Rules;

public sealed class PreHookRulesTests
{
    private const string Token = "s3cr3tt0k3n";
    private static readonly CiUpgrade.Plans.PreHookSetting Hook = Samples.Plan.PreHook!;

    private static IReadOnlyList<string> Source => PreHookCommand.Render(Hook.Source, Hook, Token);

    private static IReadOnlyList<string> Target => PreHookCommand.Render(Hook.Target, Hook, Token);

    private static DeploymentConfig App(IReadOnlyList<string>? command, string type = "Rolling")
    {
        var parameters = command is null ? new StrategyParams() : new StrategyParams { Pre = new LifecycleHook { FailurePolicy = "Retry", ExecNewPod = new ExecNewPodHook { Command = command.ToList(), ContainerName = "system-master" } } };
        return new DeploymentConfig
        {
            Metadata = new V1ObjectMeta { Name = "system-app", ResourceVersion = "77" },
            Spec = new DeploymentConfigSpec
            {
                Strategy = new DeploymentStrategy { Type = type, RollingParams = type == "Rolling" ? parameters : null, RecreateParams = type == "Recreate" ? parameters : null },
            },
        };
    }

    [Fact]
    public void The_embedded_plan_has_the_26_and_27_template_commands()
    {
        Assert.Equal(["bash", "-c", "bundle exec rake boot openshift:deploy MASTER_ACCESS_TOKEN=\"${MASTER_ACCESS_TOKEN}\""], Hook.Source);
        Assert.Equal(Hook.Source[2] + " && bundle exec rake services:create_backend_apis services:update_metric_owners proxy:update_proxy_rule_owners", Hook.Target[2]);
        Assert.Equal(("system-app", "system-seed", "MASTER_ACCESS_TOKEN"), (Hook.DeploymentConfig, Hook.Secret, Hook.Key));
    }

    [Theory]
    [InlineData("source", PreHookState.Source)]
    [InlineData("target", PreHookState.Target)]
    [InlineData("custom", PreHookState.Customised)]
    [InlineData("none", PreHookState.Missing)]
    public void Classify_tells_source_target_customised_and_missing(string which, PreHookState expected)
    {
        IReadOnlyList<string>? current = which switch
        {
            "source" => Source,
            "target" => Target,
            "custom" => ["bash", "-c", "echo hi"],
            _ => null,
        };

        Assert.Equal(expected, PreHookCommand.Classify(PreHookCommand.Current(App(current)), Source, Target));
    }

    [Fact]
    public void Patch_is_guarded_by_the_resource_version_and_the_command_read_and_empty_when_done()
    {
        var ops = PreHookCommand.Patch(App(Source), Target);

        Assert.Equal(["test", "test", "replace"], ops.Select(o => (string?)o!["op"]));
        Assert.Equal(("/metadata/resourceVersion", "77"), ((string?)ops[0]!["path"], (string?)ops[0]!["value"]));
        Assert.Equal("/spec/strategy/rollingParams/pre/execNewPod/command", (string?)ops[1]!["path"]);
        Assert.Equal(Source, ops[1]!["value"]!.AsArray().Select(v => (string)v!));
        Assert.Equal(Target, ops[2]!["value"]!.AsArray().Select(v => (string)v!));
        Assert.Empty(PreHookCommand.Patch(App(Target), Target));
        Assert.Equal("/spec/strategy/recreateParams/pre/execNewPod/command", PreHookCommand.PathFor(App(Source, "Recreate")));
        Assert.Null(PreHookCommand.PathFor(App(null)));
    }

    [Theory]
    [InlineData("rake x MASTER_ACCESS_TOKEN=\"abc\" y", "rake x MASTER_ACCESS_TOKEN=\"***\" y")]
    [InlineData("rake x MASTER_ACCESS_TOKEN=abc y", "rake x MASTER_ACCESS_TOKEN=*** y")]
    [InlineData("rake x MASTER_ACCESS_TOKEN='abc'", "rake x MASTER_ACCESS_TOKEN='***'")]
    [InlineData("[\"rake MASTER_ACCESS_TOKEN=\\\"abc\\\" x\"]", "[\"rake MASTER_ACCESS_TOKEN=\\\"***\\\" x\"]")]
    [InlineData("[\"rake MASTER_ACCESS_TOKEN=\\u0022abc\\u0022 \\u0026\\u0026 x\"]", "[\"rake MASTER_ACCESS_TOKEN=\\u0022***\\u0022 \\u0026\\u0026 x\"]")]
    public void Mask_hides_every_value_of_the_key(string text, string masked) =>
        Assert.Equal(masked, PreHookCommand.Mask(text, Hook));

    [Fact]
    public void Difference_names_the_words_that_differ_with_the_token_masked()
    {
        var custom = new[] { "bash", "-c", Source[2] + " && echo done" };

        var text = PreHookCommand.Difference(custom, Source, Hook);

        Assert.Equal("after \"rake boot openshift:deploy MASTER_ACCESS_TOKEN=\"***\"\" it has \"&& echo done\" where the expected command has nothing", text);
        Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_rule_accepts_the_target_command_with_any_token_and_masks_a_failure()
    {
        var passed = PreHookCheck.Check(Samples.Plan, App(Target))!;
        var failed = PreHookCheck.Check(Samples.Plan, App(Source))!;
        var missing = PreHookCheck.Check(Samples.Plan, App(null))!;

        Assert.Equal(("pre-hook", CheckOutcome.Passed), (passed.DeploymentConfig, passed.Outcome));
        Assert.Equal(CheckOutcome.Failed, failed.Outcome);
        Assert.Contains("MASTER_ACCESS_TOKEN=\"***\"", failed.Problems[0], StringComparison.Ordinal);
        Assert.DoesNotContain(Token, failed.Message + failed.Problems[0], StringComparison.Ordinal);
        Assert.Contains("actual no execNewPod pre hook", missing.Problems[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Hook_pod_failure_reads_a_failed_pod_and_a_restarting_container()
    {
        var failed = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "system-app-2-hook-pre" },
            Status = new V1PodStatus
            {
                Phase = "Failed",
                Reason = "DeadlineExceeded",
                Message = "Pod was active on the node longer than the specified deadline",
                ContainerStatuses = [new V1ContainerStatus { Name = "lifecycle", RestartCount = 2, LastState = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 1, Reason = "Error" } } }],
            },
        };
        var restarting = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "system-app-2-hook-pre" },
            Status = new V1PodStatus
            {
                Phase = "Running",
                ContainerStatuses =
                [
                    new V1ContainerStatus
                    {
                        Name = "lifecycle", RestartCount = 1,
                        State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CrashLoopBackOff" } },
                        LastState = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 1, Reason = "Error" } },
                    },
                ],
            },
        };

        Assert.Equal("pre hook pod system-app-2-hook-pre failed: DeadlineExceeded: Pod was active on the node longer than the specified deadline; last exit: Error (exit code 1)", PreHookPod.Failure(failed));
        Assert.Equal("pre hook pod system-app-2-hook-pre failed 1 time(s) and is being restarted (failurePolicy Retry): Error (exit code 1), now CrashLoopBackOff", PreHookPod.Failure(restarting));
        Assert.Null(PreHookPod.Failure(new V1Pod { Metadata = new V1ObjectMeta { Name = "p" }, Status = new V1PodStatus { Phase = "Running" } }));
    }
}
