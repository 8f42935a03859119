using CiUpgrade.Cluster.Models;
using CiUpgrade.Plans;
using CiUpgrade.Rules;
using k8s.Models;

namespace CiUpgrade.Tests.Rules;

public sealed class DeploymentConfigRulesTests
{
    private static readonly VerifyCheck Check = new("apicast-production", "registry.redhat.io/3scale-amp2/apicast-gateway-rhel7", false);

    /// <summary>apicast-production as the plan's DC, its latest RC, and amp-apicast as given (default: upgraded to 2.7).</summary>
    private static NamespaceState State(DeploymentConfig? dc, ImageStream? stream = null, params V1ReplicationController[] rcs)
    {
        var dcs = dc is null ? new Dictionary<string, DeploymentConfig>() : new Dictionary<string, DeploymentConfig> { [dc.Metadata.Name] = dc };
        var image = dc?.Spec.Template?.Spec.Containers[0].Image ?? Samples.NewRef;
        var list = rcs.Length > 0 ? rcs : dc is null ? [] : [Samples.Rc($"apicast-production-{dc.Status.LatestVersion}", "Complete", image, 1, 1)];
        return new NamespaceState("3scale", dcs, new Dictionary<string, ImageStream> { ["amp-apicast"] = stream ?? Samples.Apicast27() })
        {
            ReplicationControllers = new Dictionary<string, IReadOnlyList<V1ReplicationController>> { ["apicast-production"] = list },
        };
    }

    private static DeploymentJudgement Judge(NamespaceState state, UpgradePlan? plan = null) => DeploymentConfigRules.Judge(plan ?? Samples.Plan, Check, state);

    private static IEnumerable<string> Problems(DeploymentJudgement j) => j.ImageProblems.Concat(j.RolloutProblems);

    [Fact]
    public void Passes_for_the_target_image_pinned_by_digest_and_a_complete_latest_deployment()
    {
        var j = Judge(State(Samples.ApicastProduction(Samples.NewRef)));

        Assert.True(j.Passed, string.Join("; ", Problems(j)));
        Assert.Equal(CheckOutcome.Passed, j.AsTestcase().Outcome);
    }

    [Fact]
    public void A_container_running_a_tag_instead_of_a_digest_fails()
    {
        var dc = Samples.ApicastProduction(Samples.NewRef);
        dc.Spec.Template!.Spec.Containers[0].Image = "registry.redhat.io/3scale-amp2/apicast-gateway-rhel7:3scale2.7";
        // A container no trigger manages, from a plan repository: still held to the digest rule.
        dc.Spec.Template.Spec.Containers.Add(new V1Container { Name = "extra", Image = "registry.redhat.io/3scale-amp2/apicast-gateway-rhel7:3scale2.7" });

        var j = Judge(State(dc));

        Assert.Contains($"container apicast-production runs registry.redhat.io/3scale-amp2/apicast-gateway-rhel7:3scale2.7, the plan expects {Samples.NewRef} (amp-apicast:2.7)", j.ImageProblems);
        Assert.Contains("container extra runs registry.redhat.io/3scale-amp2/apicast-gateway-rhel7:3scale2.7, expected registry.redhat.io/3scale-amp2/apicast-gateway-rhel7@sha256:<64 hex digits>", j.ImageProblems);
    }

    [Fact]
    public void An_init_container_from_the_old_registry_fails()
    {
        var dc = Samples.ApicastProduction(Samples.NewRef);
        dc.Spec.Template!.Spec.InitContainers[0].Image = Samples.OldRef;

        var j = Judge(State(dc));

        Assert.Contains(j.ImageProblems, p => p.StartsWith("init container system-master-svc runs " + Samples.OldRef, StringComparison.Ordinal));
    }

    [Fact]
    public void A_digest_other_than_what_the_target_tag_resolves_to_fails()
    {
        var other = "registry.redhat.io/3scale-amp2/apicast-gateway-rhel7@sha256:" + new string('b', 64);

        var j = Judge(State(Samples.ApicastProduction(other)));

        Assert.Contains(j.ImageProblems, p => p.Contains($"runs {other}, the plan expects {Samples.NewRef} (amp-apicast:2.7)", StringComparison.Ordinal));
    }

    [Fact]
    public void An_absent_optional_dc_is_skipped_and_an_absent_required_one_fails()
    {
        Assert.Equal(CheckOutcome.Skipped, DeploymentConfigRules.Judge(Samples.Plan, Check with { Optional = true }, State(null)).AsTestcase().Outcome);
        Assert.Equal(CheckOutcome.Failed, Judge(State(null)).AsTestcase().Outcome);
    }

    [Fact]
    public void A_failed_latest_deployment_fails_naming_it_and_the_rc_the_deployer_revived()
    {
        // Review D3: the template holds the new digest, but version 2 failed and version 1 serves again.
        var dc = Samples.ApicastProduction(Samples.NewRef, version: 2, generation: 3, observed: 3, progressingReason: "ProgressDeadlineExceeded", updated: 0);
        var state = State(dc, null,
            Samples.Rc("apicast-production-1", "Complete", Samples.OldRef, 1, 1),
            Samples.Rc("apicast-production-2", "Failed", Samples.NewRef, 0, 0));

        var j = Judge(state);

        Assert.Empty(j.ImageProblems);
        Assert.Equal(["latest deployment apicast-production-2 is Failed; apicast-production-1 still serves"], j.RolloutProblems);
        Assert.Equal(CheckOutcome.Failed, j.AsTestcase().Outcome);
    }

    [Fact]
    public void A_plan_whose_target_tag_does_not_exist_fails_even_on_the_same_repository()
    {
        // Review D4: a 2.7 → 2.8 plan on a 2.7 install (same repositories): the 2.8 tag was never added.
        var plan = Samples.Plan with { Source = "2.7", Target = "2.8" };

        var j = Judge(State(Samples.ApicastProduction(Samples.NewRef)), plan);

        Assert.Contains("amp-apicast:2.8 does not exist (no spec tag 2.8 in image stream amp-apicast)", j.ImageProblems);
    }

    [Fact]
    public void A_target_tag_whose_import_failed_names_the_import_condition()
    {
        var stream = Samples.Apicast27();
        stream.Status!.Tags = [stream.Status.Tags![0], new NamedTagEventList
        {
            Tag = "2.7",
            Conditions = [new TagEventCondition { Type = "ImportSuccess", Status = "False", Reason = "Unauthorized", Message = "you may not have access", Generation = 5 }],
        }];

        var j = Judge(State(Samples.ApicastProduction(Samples.NewRef), stream));

        Assert.Contains("amp-apicast:2.7 has no imported image: import failed (Unauthorized): you may not have access", j.ImageProblems);
    }

    [Fact]
    public void A_trigger_tag_that_does_not_follow_the_target_fails()
    {
        var stream = Samples.Apicast27();
        stream.Spec.Tags![2].From!.Name = "2.6";
        stream.Status!.Tags![2].Items = stream.Status.Tags[0].Items;

        var j = Judge(State(Samples.ApicastProduction(Samples.NewRef), stream));

        Assert.Contains($"image trigger amp-apicast:latest resolves to {Samples.OldRef}, not to what amp-apicast:2.7 resolves to ({Samples.NewRef})", j.ImageProblems);
    }

    [Fact]
    public void Paused_and_unobserved_generations_fail_with_that_reason()
    {
        var paused = Samples.ApicastProduction(Samples.NewRef);
        paused.Spec.Paused = true;
        var unobserved = Samples.ApicastProduction(Samples.NewRef, generation: 7, observed: 6);

        Assert.Equal(["DeploymentConfig apicast-production is paused: resume it with `oc rollout resume dc/apicast-production`"], Judge(State(paused)).RolloutProblems);
        Assert.Equal(["the controller has not observed generation 7 yet (observed 6)"], Judge(State(unobserved)).RolloutProblems);
    }

    [Fact]
    public void An_upgraded_dc_scaled_to_zero_is_skipped_with_that_note_not_failed()
    {
        var zero = Samples.ApicastProduction(Samples.NewRef);
        zero.Spec.Replicas = 0;

        var j = Judge(State(zero));
        var testcase = j.AsTestcase();

        Assert.Empty(Problems(j));
        Assert.Equal(CheckOutcome.Skipped, testcase.Outcome);
        Assert.StartsWith("DeploymentConfig apicast-production is scaled to zero: upgraded (template, trigger and image judged), but nothing runs", testcase.Message, StringComparison.Ordinal);
        var drift = DriftCheck.Check(Samples.Plan with { Verify = [Check] }, State(zero), null);
        Assert.Equal(CheckOutcome.Passed, drift.Single(r => r.DeploymentConfig == "image apicast-production").Outcome);
        Assert.Equal(CheckOutcome.Skipped, drift.Single(r => r.DeploymentConfig == "rollout apicast-production").Outcome);
    }

    [Fact]
    public void A_dc_scaled_to_zero_on_the_old_image_still_fails_and_says_it_is_scaled_to_zero()
    {
        var zero = Samples.ApicastProduction(Samples.OldRef);
        zero.Spec.Replicas = 0;

        var testcase = Judge(State(zero)).AsTestcase();

        Assert.Equal(CheckOutcome.Failed, testcase.Outcome);
        Assert.StartsWith("DeploymentConfig apicast-production is scaled to zero", testcase.Notes[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_dc_the_plan_marks_must_run_fails_when_scaled_to_zero()
    {
        var zero = Samples.ApicastProduction(Samples.NewRef);
        zero.Spec.Replicas = 0;

        var j = DeploymentConfigRules.Judge(Samples.Plan, Check with { MustRun = true }, State(zero));

        Assert.Equal(CheckOutcome.Failed, j.AsTestcase().Outcome);
        Assert.Equal(["DeploymentConfig apicast-production is scaled to zero, but the plan requires it to run (verify mustRun): scale it up with `oc scale dc/apicast-production --replicas=N`"], j.RolloutProblems);
    }

    [Fact]
    public void A_sidecar_no_trigger_manages_from_no_plan_repository_is_noted_not_failed()
    {
        var dc = Samples.ApicastProduction(Samples.NewRef);
        dc.Spec.Template!.Spec.Containers.Add(new V1Container { Name = "istio-proxy", Image = "docker.io/istio/proxyv2:1.0.2" });
        var rc = Samples.Rc("apicast-production-1", "Complete", Samples.NewRef, 1, 1);
        rc.Spec.Template.Spec.Containers.Add(new V1Container { Name = "istio-proxy", Image = "docker.io/istio/proxyv2:1.0.2" });

        var j = Judge(State(dc, null, rc));

        Assert.True(j.Passed, string.Join("; ", Problems(j)));
        Assert.Contains(j.Notes, n => n.StartsWith("container istio-proxy runs docker.io/istio/proxyv2:1.0.2: no image trigger manages it", StringComparison.Ordinal));
    }

    [Fact]
    public void A_trigger_on_another_namespace_is_read_there_or_reported_as_not_checkable()
    {
        var dc = Samples.ApicastProduction(Samples.NewRef);
        dc.Spec.Triggers![1].ImageChangeParams!.From!.NamespaceProperty = "openshift";
        var unreadable = State(dc) with { };
        unreadable = unreadable with { UnreadableStreams = new Dictionary<string, string> { ["openshift/amp-apicast"] = "these credentials may not get image streams in namespace openshift" } };
        var readable = State(dc) with { ForeignStreams = new Dictionary<string, ImageStream?> { ["openshift/amp-apicast"] = Samples.Apicast26() } };

        Assert.Contains("image trigger openshift/amp-apicast:latest cannot be checked: these credentials may not get image streams in namespace openshift", Judge(unreadable).ImageProblems);
        Assert.Contains(Judge(readable).ImageProblems, p => p.Contains($"the plan expects {Samples.OldRef} (openshift/amp-apicast:latest)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_manual_trigger_left_behind_names_the_command_that_fixes_it()
    {
        var dc = Samples.ApicastProduction(Samples.OldRef);
        dc.Spec.Triggers![1].ImageChangeParams!.Automatic = false;

        var j = Judge(State(dc));

        Assert.Contains(j.ImageProblems, p => p.EndsWith("its image trigger is manual: run `oc set triggers dc/apicast-production --auto`", StringComparison.Ordinal));
    }

    [Fact]
    public void Failure_message_is_one_line_and_the_body_lists_every_problem()
    {
        var dc = Samples.ApicastProduction(Samples.OldRef);

        var result = Judge(State(dc)).AsTestcase();

        Assert.DoesNotContain('\n', result.Message);
        Assert.EndsWith("(and 1 more)", result.Message, StringComparison.Ordinal);
        Assert.Equal(2, result.Problems.Count);
    }

    [Fact]
    public void Tag_resolution_follows_the_reference_policy_of_the_resolved_tag()
    {
        var stream = Samples.Apicast27();
        Assert.Equal(Samples.NewRef, TagResolution.Resolve(stream, "latest"));

        stream.Spec.Tags![2].ReferencePolicy!.Type = "Local";

        Assert.Equal("image-registry.openshift-image-registry.svc:5000/3scale/amp-apicast@sha256:" + Samples.NewDigest, TagResolution.Resolve(stream, "latest"));
    }

    [Fact]
    public void An_import_failure_of_an_older_generation_is_not_the_current_answer()
    {
        // Review D12: the tag was changed (generation 6) after the failure at generation 5.
        var stream = Samples.Apicast27();
        stream.Spec.Tags![1].Generation = 6;
        stream.Status!.Tags![1].Conditions = [new TagEventCondition { Type = "ImportSuccess", Status = "False", Reason = "Unauthorized", Generation = 5 }];

        Assert.Null(TagResolution.ImportFailure(stream, "2.7"));
        Assert.Empty(ImportNowPatch.For(stream, "2.7"));

        stream.Spec.Tags[1].Generation = 5;

        Assert.NotNull(TagResolution.ImportFailure(stream, "2.7"));
        Assert.Equal("""[{"op":"test","path":"/metadata/resourceVersion","value":"412233"},{"op":"test","path":"/spec/tags/1/name","value":"2.7"},{"op":"add","path":"/spec/tags/1/generation","value":0}]""",
            ImportNowPatch.For(stream, "2.7").ToJsonString());
    }

    [Theory]
    [InlineData("registry.redhat.io/3scale-amp2/apicast-gateway-rhel7@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    [InlineData("registry.redhat.io/3scale-amp2/apicast-gateway-rhel7@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", false)]
    [InlineData("registry.redhat.io/3scale-amp2/apicast-gateway-rhel7@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde", false)]
    [InlineData("registry.redhat.io/3scale-amp2/apicast-gateway-rhel7@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n", false)]
    [InlineData("registry.redhat.io/3scale-amp2/apicast-gateway-rhel7:2.7", false)]
    [InlineData("registry.redhat.io/3scale-amp2/apicast-gateway-rhel8@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", false)]
    [InlineData("registry.redhat.io/3scale-amp2/apicast-gateway-rhel7@sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", false)]
    [InlineData(null, false)]
    public void An_image_is_pinned_only_as_the_repository_at_a_sha256_of_64_lowercase_hex_digits(string? image, bool pinned) =>
        Assert.Equal(pinned, DeploymentConfigRules.PinnedByDigest(image, Check.Repository));
}
