using CiUpgrade.Cluster.Models;
using CiUpgrade.Plans;
using CiUpgrade.Rules;

namespace CiUpgrade.Tests.Rules;

public sealed class DigestCheckTests
{
    private static readonly VerifyCheck Check = new("apicast-production", "registry.redhat.io/3scale-amp2/apicast-gateway-rhel7", false);
    private static readonly Dictionary<string, ImageStream> Streams = new() { ["amp-apicast"] = Samples.Apicast27() };

    [Fact]
    public void Verify_passes_for_digest_pinned_images_from_the_new_repository_matching_the_stream()
    {
        var result = DigestCheck.Check(Check, Samples.ApicastProduction(Samples.NewRef), Streams);

        Assert.Equal(CheckOutcome.Passed, result.Outcome);
    }

    [Fact]
    public void Verify_fails_when_a_container_runs_a_tag_instead_of_a_digest()
    {
        var dc = Samples.ApicastProduction(Samples.NewRef);
        dc.Spec.Template!.Spec.Containers[0].Image = "registry.redhat.io/3scale-amp2/apicast-gateway-rhel7:3scale2.7";

        var result = DigestCheck.Check(Check, dc, Streams);

        Assert.Equal(CheckOutcome.Failed, result.Outcome);
        Assert.Contains("container apicast-production: expected registry.redhat.io/3scale-amp2/apicast-gateway-rhel7@sha256:<64 hex digits>, actual registry.redhat.io/3scale-amp2/apicast-gateway-rhel7:3scale2.7", result.Problems);
    }

    [Fact]
    public void Verify_fails_for_an_image_from_the_old_registry_in_an_init_container()
    {
        var dc = Samples.ApicastProduction(Samples.NewRef);
        dc.Spec.Template!.Spec.InitContainers[0].Image = Samples.OldRef;

        var result = DigestCheck.Check(Check, dc, Streams);

        Assert.Equal(CheckOutcome.Failed, result.Outcome);
        Assert.Contains(result.Problems, p => p.StartsWith("init container system-master-svc: expected registry.redhat.io/3scale-amp2/apicast-gateway-rhel7@sha256:", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_fails_when_the_digest_differs_from_what_the_tag_resolves_to()
    {
        var other = "registry.redhat.io/3scale-amp2/apicast-gateway-rhel7@sha256:" + new string('b', 64);

        var result = DigestCheck.Check(Check, Samples.ApicastProduction(other), Streams);

        Assert.Equal(CheckOutcome.Failed, result.Outcome);
        Assert.Contains(result.Problems, p => p.Contains($"expected {Samples.NewRef} (amp-apicast:latest), actual {other}", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_skips_an_absent_optional_dc_and_fails_an_absent_required_one()
    {
        Assert.Equal(CheckOutcome.Skipped, DigestCheck.Check(Check with { Optional = true }, null, Streams).Outcome);
        Assert.Equal(CheckOutcome.Failed, DigestCheck.Check(Check, null, Streams).Outcome);
    }

    [Fact]
    public void Tag_resolution_follows_the_reference_policy_of_the_resolved_tag()
    {
        var stream = Samples.Apicast27();
        Assert.Equal(Samples.NewRef, TagResolution.Resolve(stream, "latest"));

        stream.Spec.Tags![2].ReferencePolicy!.Type = "Local";

        Assert.Equal("image-registry.openshift-image-registry.svc:5000/3scale/amp-apicast@sha256:" + Samples.NewDigest, TagResolution.Resolve(stream, "latest"));
    }
}
