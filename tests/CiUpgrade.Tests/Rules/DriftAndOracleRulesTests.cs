using CiUpgrade.Cluster.Models;
using CiUpgrade.Plans;
using CiUpgrade.Rules;
using k8s.Models;

namespace CiUpgrade.Tests.Rules;

public sealed class DriftAndOracleRulesTests
{
    private static readonly VerifyCheck SystemApp = new("system-app", "registry.redhat.io/3scale-amp2/system-rhel7", false);
    private const string Internal = "image-registry.openshift-image-registry.svc:5000/3scale/amp-system";
    private const string Base27 = "registry.redhat.io/3scale-amp2/system-rhel7@sha256:" + Samples.NewDigest;
    private const string Base26 = "registry.redhat.io/3scale-amp26/system@sha256:" + Samples.OldDigest;

    /// <summary>amp-system on an Oracle install: 2.7 imported, latest pushed by a build (no spec tag).</summary>
    private static ImageStream OracleSystem(string builtDigest) => new()
    {
        Metadata = new V1ObjectMeta { Name = "amp-system", NamespaceProperty = "3scale", ResourceVersion = "7" },
        Spec = new ImageStreamSpec { Tags = [Samples.Tag("2.7", "DockerImage", "registry.redhat.io/3scale-amp2/system-rhel7:3scale2.7")] },
        Status = new ImageStreamStatus
        {
            DockerImageRepository = Internal,
            Tags =
            [
                new NamedTagEventList { Tag = "2.7", Items = [new TagEvent { DockerImageReference = Base27, Image = "sha256:" + Samples.NewDigest, Generation = 3 }] },
                new NamedTagEventList { Tag = "latest", Items = [new TagEvent { DockerImageReference = $"{Internal}@{builtDigest}", Image = builtDigest, Generation = 3 }] },
            ],
        },
    };

    private static Build Build(string name, string from, string digest) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "3scale" },
        Spec = new BuildSpec { Strategy = new BuildStrategy { Type = "Docker", DockerStrategy = new DockerBuildStrategy { From = new V1ObjectReference { Kind = "DockerImage", Name = from } } } },
        Status = new BuildStatus { Phase = "Complete", Output = new BuildStatusOutput { To = new BuildStatusOutputTo { ImageDigest = digest } } },
    };

    private static DeploymentConfig SystemAppDc(string image)
    {
        var dc = Samples.ApicastProduction(image);
        dc.Metadata.Name = "system-app";
        dc.Spec.Triggers![1].ImageChangeParams!.From!.Name = "amp-system:latest";
        dc.Spec.Template!.Spec.Containers[0].Env = [new V1EnvVar { Name = "AMP_RELEASE", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "system-environment", Key = "AMP_RELEASE" } } }];
        dc.Spec.Template.Spec.Containers.Add(new V1Container { Name = "system-provider", Image = image, Env = [new V1EnvVar { Name = "AMP_RELEASE", Value = "2.7" }] });
        dc.Spec.Triggers[1].ImageChangeParams!.ContainerNames = ["system-master-svc", "apicast-production", "system-provider"];
        return dc;
    }

    private static NamespaceState OracleState(string builtDigest, params Build[] builds)
    {
        var image = $"{Internal}@{builtDigest}";
        var dc = SystemAppDc(image);
        var rc = Samples.Rc("system-app-1", "Complete", image, 1, 1);
        rc.Spec.Template.Spec.Containers.Add(new V1Container { Name = "system-provider", Image = image });
        return new NamespaceState("3scale", new Dictionary<string, DeploymentConfig> { ["system-app"] = dc }, new Dictionary<string, ImageStream> { ["amp-system"] = OracleSystem(builtDigest) })
        {
            ReplicationControllers = new Dictionary<string, IReadOnlyList<V1ReplicationController>> { ["system-app"] = [rc] },
            OracleBuilds = builds,
            ConfigMaps = new Dictionary<string, V1ConfigMap> { ["system-environment"] = new() { Data = new Dictionary<string, string> { ["AMP_RELEASE"] = "2.6" } } },
        };
    }

    [Fact]
    public void Oracle_system_image_built_on_the_target_base_passes()
    {
        var digest = "sha256:" + new string('c', 64);

        var j = DeploymentConfigRules.Judge(Samples.Plan, SystemApp, OracleState(digest, Build("3scale-amp-system-oracle-2", Base27, digest)));

        Assert.True(j.Passed, string.Join("; ", j.ImageProblems.Concat(j.RolloutProblems)));
    }

    [Fact]
    public void Oracle_system_image_still_built_on_the_old_base_fails_naming_the_build()
    {
        // The 2.7 rebuild was interrupted: latest still holds build 1's image, built on 2.6.
        var digest = "sha256:" + new string('c', 64);

        var j = DeploymentConfigRules.Judge(Samples.Plan, SystemApp, OracleState(digest, Build("3scale-amp-system-oracle-1", Base26, digest)));

        Assert.Contains(j.ImageProblems, p => p.Contains($"runs the image of build 3scale-amp-system-oracle-1, built on {Base26}, not on amp-system:2.7 ({Base27})", StringComparison.Ordinal));
    }

    [Fact]
    public void Release_is_checked_on_every_container_through_its_config_map_too()
    {
        var result = ReleaseCheck.Check(Samples.Plan, OracleState("sha256:" + new string('c', 64)));

        Assert.Equal(CheckOutcome.Failed, result.Outcome);
        Assert.Equal(["AMP_RELEASE on system-app container apicast-production is 2.6, the plan's target is 2.7"], result.Problems);
    }

    [Fact]
    public void Drift_judges_only_the_plans_dcs_in_one_sentence_each()
    {
        var state = OracleState("sha256:" + new string('c', 64));
        var app = state.DeploymentConfigs["system-app"];
        app.Metadata.Generation = 7;
        app.Status.ObservedGeneration = 6;
        var other = Samples.ApicastProduction(Samples.NewRef);
        other.Metadata.Name = "my-app";
        other.Spec.Replicas = 0;
        var dcs = new Dictionary<string, DeploymentConfig>(state.DeploymentConfigs) { ["my-app"] = other };

        var results = DriftCheck.Check(Samples.Plan, state with { DeploymentConfigs = dcs }, null);

        Assert.DoesNotContain(results, r => r.DeploymentConfig.EndsWith("my-app", StringComparison.Ordinal));
        var rollout = Assert.Single(results, r => r.DeploymentConfig == "rollout system-app");
        Assert.Equal("rollout system-app: the controller has not observed generation 7 yet (observed 6)", rollout.Message);
        Assert.All(results.Where(r => r.Outcome == CheckOutcome.Failed), r => Assert.DoesNotContain('\n', r.Message));
    }
}
