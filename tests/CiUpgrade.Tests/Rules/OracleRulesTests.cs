using CiUpgrade.Cluster.Models;
using CiUpgrade.Rules;
using k8s.Models;

namespace CiUpgrade.Tests.Rules;

/// <summary>The Oracle path's pure decisions: the client files, start/follow/skip, the BuildConfig patch, who owns latest.</summary>
public sealed class OracleRulesTests
{
    private const string Base27 = "registry.redhat.io/3scale-amp2/system-rhel7@sha256:" + Samples.NewDigest;
    private const string Internal = "image-registry.openshift-image-registry.svc:5000/3scale/amp-system";

    private static Build Build(string name, string phase, string? baseImage = Base27, string? digest = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Annotations = new Dictionary<string, string> { ["openshift.io/build.number"] = name.Split('-')[^1] } },
        Spec = new BuildSpec { Strategy = new BuildStrategy { Type = "Docker", DockerStrategy = new DockerBuildStrategy { From = new V1ObjectReference { Kind = "DockerImage", Name = baseImage } } } },
        Status = new BuildStatus { Phase = phase, Output = digest is null ? null : new BuildStatusOutput { To = new BuildStatusOutputTo { ImageDigest = digest } } },
    };

    [Fact]
    public void Client_files_need_the_dockerfile_and_basic_or_basiclite_sdk_and_odbc_under_oracle_client_files()
    {
        string[] complete = ["Dockerfile", "oracle-client-files/instantclient-basiclite-linux.x64-12.2.0.1.0.zip",
            "oracle-client-files/instantclient-sdk-linux.x64-12.2.0.1.0.zip", "oracle-client-files/instantclient-odbc-linux.x64-12.2.0.1.0-2.zip"];

        Assert.Empty(OracleClientPackages.Missing(complete));
        Assert.Empty(OracleClientPackages.Missing(complete.Select(f => f.Replace("basiclite", "basic", StringComparison.Ordinal))));
        var missing = OracleClientPackages.Missing(["instantclient-sdk-linux.x64-12.2.0.1.0.zip", "oracle-client-files/instantclient-odbc-linux.x64-12.2.0.1.0-2.zip"]);
        Assert.Equal(3, missing.Count);
        Assert.Contains(missing, m => m.StartsWith("Dockerfile", StringComparison.Ordinal));
        Assert.Contains(missing, m => m.Contains("instantclient-sdk", StringComparison.Ordinal));
        Assert.Contains(missing, m => m.Contains("instantclient-basic", StringComparison.Ordinal));
    }

    [Fact]
    public void Decision_starts_without_a_build_on_the_target_base_follows_a_running_one_and_skips_a_done_one()
    {
        var old = Build("bc-1", "Complete", "registry.redhat.io/3scale-amp26/system@sha256:" + Samples.OldDigest, "sha256:" + Samples.OldDigest);

        Assert.Equal(OracleBuildAction.Start, OracleBuildDecision.Decide([old], Base27, $"{Internal}@sha256:{Samples.OldDigest}", false).Action);
        Assert.Equal(OracleBuildAction.Start, OracleBuildDecision.Decide([old], null, null, false).Action);
        var running = OracleBuildDecision.Decide([old, Build("bc-2", "Running")], Base27, null, false);
        Assert.Equal((OracleBuildAction.Follow, "bc-2"), (running.Action, running.Build!.Metadata.Name));
        var done = Build("bc-2", "Complete", digest: "sha256:" + Samples.NewDigest);
        Assert.Equal(OracleBuildAction.Done, OracleBuildDecision.Decide([old, done], Base27, $"{Internal}@sha256:{Samples.NewDigest}", false).Action);
        Assert.Equal(OracleBuildAction.Start, OracleBuildDecision.Decide([old, done], Base27, $"{Internal}@sha256:{Samples.NewDigest}", true).Action);
        Assert.Equal(OracleBuildAction.Start, OracleBuildDecision.Decide([old, done], Base27, $"{Internal}@sha256:{Samples.OldDigest}", false).Action);
        Assert.Equal(OracleBuildAction.Start, OracleBuildDecision.Decide([old, Build("bc-2", "Failed")], Base27, null, false).Action);
    }

    [Fact]
    public void A_running_build_being_cancelled_is_not_followed_but_replaced()
    {
        // An upload cut off by a kill: the API server marks the build cancelled, and it ends Cancelled.
        var cancelling = Build("bc-2", "Running");
        cancelling.Status.Cancelled = true;

        Assert.Equal(OracleBuildAction.Start, OracleBuildDecision.Decide([cancelling], Base27, null, false).Action);
        Assert.Equal(OracleBuildAction.Start, OracleBuildDecision.Decide([Build("bc-2", "Cancelled")], Base27, null, false).Action);
    }

    [Fact]
    public void Base_patch_replaces_the_from_behind_a_resource_version_test_and_is_empty_once_done()
    {
        var config = new BuildConfig
        {
            Metadata = new V1ObjectMeta { Name = "3scale-amp-system-oracle", ResourceVersion = "77" },
            Spec = new BuildSpec { Strategy = new BuildStrategy { Type = "Docker", DockerStrategy = new DockerBuildStrategy { From = new V1ObjectReference { Kind = "ImageStreamTag", Name = "amp-system:2.6" } } } },
        };

        var ops = BuildBasePatch.For(config, "amp-system", "2.7");

        Assert.Equal("""[{"op":"test","path":"/metadata/resourceVersion","value":"77"},{"op":"replace","path":"/spec/strategy/dockerStrategy/from","value":{"kind":"ImageStreamTag","name":"amp-system:2.7"}}]""", ops.ToJsonString());
        config.Spec.Strategy.DockerStrategy.From.Name = "amp-system:2.7";
        Assert.Empty(BuildBasePatch.For(config, "amp-system", "2.7"));
    }

    [Fact]
    public void A_build_owns_latest_only_without_a_spec_tag_and_with_a_pushed_internal_image()
    {
        ImageStream Stream(bool specLatest, string latestRef) => new()
        {
            Spec = new ImageStreamSpec { Tags = specLatest ? [Samples.Tag("latest", "ImageStreamTag", "2.7")] : [Samples.Tag("2.7", "DockerImage", "x")] },
            Status = new ImageStreamStatus { DockerImageRepository = Internal, Tags = [new NamedTagEventList { Tag = "latest", Items = [new TagEvent { DockerImageReference = latestRef }] }] },
        };

        Assert.True(OracleImages.BuildOwnsLatest(Stream(false, $"{Internal}@sha256:{Samples.NewDigest}")));
        Assert.False(OracleImages.BuildOwnsLatest(Stream(true, $"{Internal}@sha256:{Samples.NewDigest}")));
        Assert.False(OracleImages.BuildOwnsLatest(Stream(false, Base27)));
        Assert.False(OracleImages.BuildOwnsLatest(null));
    }
}
