using CiUpgrade.Rules;
using k8s.Models;

namespace CiUpgrade.Tests.Rules;

public sealed class RolloutStateTests
{
    private static readonly RolloutExpectation NewImage = RolloutExpectation.Images(new Dictionary<string, string>
    {
        ["apicast-production"] = Samples.NewRef,
        ["system-master-svc"] = Samples.NewRef,
    });

    [Fact]
    public void Old_completed_rollout_is_not_taken_for_the_new_one_right_after_the_stream_patch()
    {
        // The trap of openshift-api-detail.md 3.1: nothing on the DC has changed yet, and it reads "successfully rolled out".
        var dc = Samples.ApicastProduction(Samples.OldRef);
        var rcs = new[] { Samples.Rc("apicast-production-1", "Complete", Samples.OldRef, 1, 1) };

        var verdict = RolloutState.Evaluate(dc, rcs, NewImage);

        Assert.Equal(RolloutPhase.Waiting, verdict.Phase);
    }

    [Fact]
    public void Trigger_fired_but_generation_not_observed_is_waiting()
    {
        var dc = Samples.ApicastProduction(Samples.NewRef, version: 1, generation: 3, observed: 2);
        var rcs = new[] { Samples.Rc("apicast-production-1", "Complete", Samples.OldRef, 1, 1) };

        Assert.Equal(RolloutPhase.Waiting, RolloutState.Evaluate(dc, rcs, NewImage).Phase);
    }

    [Fact]
    public void New_version_with_old_replicas_still_serving_is_waiting()
    {
        var dc = Samples.ApicastProduction(Samples.NewRef, version: 2, generation: 3, observed: 3, replicas: 2);
        var rcs = new[]
        {
            Samples.Rc("apicast-production-1", "Complete", Samples.OldRef, 1, 1),
            Samples.Rc("apicast-production-2", "Complete", Samples.NewRef, 1, 1),
        };

        var verdict = RolloutState.Evaluate(dc, rcs, NewImage);

        Assert.Equal(RolloutPhase.Waiting, verdict.Phase);
        Assert.Contains("old replicas are pending termination", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void New_version_complete_with_old_rc_at_zero_is_complete()
    {
        var dc = Samples.ApicastProduction(Samples.NewRef, version: 2, generation: 3, observed: 3);
        var rcs = new[]
        {
            Samples.Rc("apicast-production-1", "Complete", Samples.OldRef, 0, 0),
            Samples.Rc("apicast-production-2", "Complete", Samples.NewRef, 1, 1),
        };

        var verdict = RolloutState.Evaluate(dc, rcs, NewImage);

        Assert.Equal(RolloutPhase.Complete, verdict.Phase);
        Assert.Equal(2, verdict.Version);
    }

    [Fact]
    public void Complete_needs_available_replicas_to_match_the_desired_count()
    {
        var dc = Samples.ApicastProduction(Samples.NewRef, version: 2, generation: 3, observed: 3, available: 0);
        var rcs = new[] { Samples.Rc("apicast-production-2", "Complete", Samples.NewRef, 1, 0) };

        Assert.Equal(RolloutPhase.Waiting, RolloutState.Evaluate(dc, rcs, NewImage).Phase);
    }

    [Fact]
    public void Progress_deadline_exceeded_on_the_new_version_is_failed()
    {
        var dc = Samples.ApicastProduction(Samples.NewRef, version: 2, generation: 3, observed: 3, progressingReason: "ProgressDeadlineExceeded");
        var rcs = new[]
        {
            Samples.Rc("apicast-production-1", "Complete", Samples.OldRef, 1, 1),
            Samples.Rc("apicast-production-2", "Failed", Samples.NewRef, 0, 0),
        };

        var verdict = RolloutState.Evaluate(dc, rcs, NewImage);

        Assert.Equal(RolloutPhase.Failed, verdict.Phase);
        Assert.Contains("apicast-production-2", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Env_expectation_waits_until_the_latest_rc_carries_the_literal_value()
    {
        var dc = Samples.ApicastProduction(Samples.NewRef, version: 2, generation: 3, observed: 3);
        dc.Spec.Template!.Spec.Containers[0].Env = [new V1EnvVar { Name = "AMP_RELEASE", Value = "2.7" }];
        var rcs = new[] { Samples.Rc("apicast-production-2", "Complete", Samples.NewRef, 1, 1) };

        var verdict = RolloutState.Evaluate(dc, rcs, RolloutExpectation.Env("AMP_RELEASE", "2.7"));

        Assert.Equal(RolloutPhase.Waiting, verdict.Phase);
        Assert.Contains("AMP_RELEASE=2.7", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pod_failure_reason_names_the_waiting_reason_and_the_last_exit()
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "apicast-production-2-abcde" },
            Status = new V1PodStatus
            {
                ContainerStatuses =
                [
                    new V1ContainerStatus
                    {
                        Name = "apicast-production",
                        State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CrashLoopBackOff", Message = "back-off 10s restarting failed container" } },
                        LastState = new V1ContainerState { Terminated = new V1ContainerStateTerminated { Message = "exit 1: boom" } },
                    },
                ],
            },
        };

        var reason = RolloutState.PodFailureReason([pod]);

        Assert.Equal("pod apicast-production-2-abcde container apicast-production: CrashLoopBackOff: back-off 10s restarting failed container; last exit: exit 1: boom", reason);
    }

    [Fact]
    public void Complete_is_judged_from_the_rc_phase_even_when_the_progressing_message_names_an_older_rc()
    {
        // Review D16: SetDeploymentCondition kept the condition (same status and reason), message included.
        var dc = Samples.ApicastProduction(Samples.NewRef, version: 2, generation: 3, observed: 3);
        dc.Status.Conditions![1].Message = "replication controller \"apicast-production-1\" successfully rolled out";
        var rcs = new[]
        {
            Samples.Rc("apicast-production-1", "Complete", Samples.OldRef, 0, 0),
            Samples.Rc("apicast-production-2", "Complete", Samples.NewRef, 1, 1),
        };

        Assert.Equal(RolloutPhase.Complete, RolloutState.Evaluate(dc, rcs, NewImage).Phase);
    }

    [Fact]
    public void A_stale_available_reason_while_the_new_rc_runs_is_not_complete()
    {
        var dc = Samples.ApicastProduction(Samples.NewRef, version: 2, generation: 3, observed: 3, updated: 0);
        dc.Status.Conditions![1].Message = "replication controller \"apicast-production-1\" successfully rolled out";
        var rcs = new[]
        {
            Samples.Rc("apicast-production-1", "Complete", Samples.OldRef, 1, 1),
            Samples.Rc("apicast-production-2", "Running", Samples.NewRef, 1, 0),
        };

        var verdict = RolloutState.Evaluate(dc, rcs, NewImage);

        Assert.Equal(RolloutPhase.Waiting, verdict.Phase);
        Assert.Equal("0 of 1 new replicas have been updated", verdict.Message);
    }

    [Fact]
    public void A_failed_latest_deployment_names_itself_and_the_revived_rc()
    {
        var dc = Samples.ApicastProduction(Samples.NewRef, version: 2, generation: 3, observed: 3, progressingReason: "ProgressDeadlineExceeded");
        var rcs = new[]
        {
            Samples.Rc("apicast-production-1", "Complete", Samples.OldRef, 1, 1),
            Samples.Rc("apicast-production-2", "Failed", Samples.NewRef, 0, 0),
        };

        var verdict = RolloutState.Evaluate(dc, rcs, NewImage);

        Assert.Equal(("apicast-production-2", "apicast-production-1"), (verdict.FailedDeployment, verdict.Serving));
        Assert.Equal("latest deployment apicast-production-2 failed (apicast-production-1 still serves)", verdict.Message);
    }

    [Fact]
    public void A_manual_trigger_that_never_delivers_the_expected_image_fails_naming_the_fix()
    {
        // Review D9: the old completed rollout must not pass for the new one.
        var dc = Samples.ApicastProduction(Samples.OldRef);
        dc.Spec.Triggers![1].ImageChangeParams!.Automatic = false;
        var rcs = new[] { Samples.Rc("apicast-production-1", "Complete", Samples.OldRef, 1, 1) };

        var verdict = RolloutState.Evaluate(dc, rcs, NewImage);

        Assert.Equal(RolloutPhase.Failed, verdict.Phase);
        Assert.True(verdict.ManualTrigger);
        Assert.Contains("`oc set triggers dc/apicast-production --auto`", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_hook_pod_is_named_with_its_reason_and_where_its_logs_are()
    {
        var hook = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "system-app-2-hook-pre", Labels = new Dictionary<string, string> { ["openshift.io/deployer-pod.type"] = "hook-pre" } },
            Status = new V1PodStatus
            {
                Phase = "Failed",
                ContainerStatuses = [new V1ContainerStatus { Name = "lifecycle", State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { Reason = "Error", ExitCode = 1 } } }],
            },
        };

        Assert.Equal("hook-pre hook pod system-app-2-hook-pre failed: Error (exit code 1); see `oc logs system-app-2-hook-pre`", RolloutState.HookFailureReason([hook]));
    }
}
