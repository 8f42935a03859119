using CiUpgrade.Rules;
using k8s.Models;

namespace CiUpgrade.Tests.Rules;

public sealed class ReleaseEnvPatchTests
{
    private static Cluster.Models.DeploymentConfig SystemApp(params V1EnvVar[] env)
    {
        var dc = Samples.ApicastProduction(Samples.NewRef);
        dc.Metadata.Name = "system-app";
        dc.Spec.Template!.Spec.Containers = [new V1Container { Name = "system-master", Env = env.ToList() }, new V1Container { Name = "system-provider", Env = env.ToList() }];
        return dc;
    }

    private static V1EnvVar FromConfigMap() =>
        new() { Name = "AMP_RELEASE", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "system-environment", Key = "AMP_RELEASE" } } };

    [Fact]
    public void Set_release_replaces_a_configmap_reference_with_the_literal_value_in_place_on_every_container()
    {
        var ops = ReleaseEnvPatch.For(SystemApp(new V1EnvVar { Name = "RAILS_ENV", Value = "production" }, FromConfigMap()), Samples.Plan.Release, "2.7");

        Assert.Equal("/metadata/resourceVersion", (string?)ops[0]!["path"]);
        Assert.Equal("""{"op":"test","path":"/spec/template/spec/containers/0/env/1/name","value":"AMP_RELEASE"}""", ops[1]!.ToJsonString());
        Assert.Equal("""{"op":"replace","path":"/spec/template/spec/containers/0/env/1","value":{"name":"AMP_RELEASE","value":"2.7"}}""", ops[2]!.ToJsonString());
        Assert.Equal("/spec/template/spec/containers/1/env/1", (string?)ops[4]!["path"]);
        Assert.Equal(5, ops.Count);
    }

    [Fact]
    public void Set_release_sends_nothing_when_every_container_already_has_the_value()
    {
        Assert.Empty(ReleaseEnvPatch.For(SystemApp(new V1EnvVar { Name = "AMP_RELEASE", Value = "2.7" }), Samples.Plan.Release, "2.7"));
    }

    [Fact]
    public void Set_release_appends_the_variable_when_a_container_lacks_it()
    {
        var ops = ReleaseEnvPatch.For(SystemApp(new V1EnvVar { Name = "RAILS_ENV", Value = "production" }), Samples.Plan.Release, "2.7");

        Assert.Equal("""{"op":"add","path":"/spec/template/spec/containers/0/env/-","value":{"name":"AMP_RELEASE","value":"2.7"}}""", ops[1]!.ToJsonString());
    }

    [Fact]
    public void Current_release_is_read_from_the_configmap_a_reference_points_to()
    {
        var release = ReleaseEnvPatch.CurrentRelease(SystemApp(FromConfigMap()), Samples.Plan.Release,
            (name, key) => name == "system-environment" && key == "AMP_RELEASE" ? "2.6" : null);

        Assert.Equal("2.6", release);
    }

    [Fact]
    public void Set_release_sets_the_value_in_an_init_container_that_carries_it_and_leaves_one_without_it_alone()
    {
        var dc = SystemApp(new V1EnvVar { Name = "AMP_RELEASE", Value = "2.7" });
        dc.Spec.Template!.Spec.InitContainers =
        [
            new V1Container { Name = "wait-for-db", Env = [new V1EnvVar { Name = "SLEEP_SECONDS", Value = "1" }] },
            new V1Container { Name = "migrate", Env = [new V1EnvVar { Name = "RAILS_ENV", Value = "production" }, new V1EnvVar { Name = "AMP_RELEASE", Value = "2.6" }] },
        ];

        var ops = ReleaseEnvPatch.For(dc, Samples.Plan.Release, "2.7");

        Assert.Equal(3, ops.Count);
        Assert.Equal("""{"op":"test","path":"/spec/template/spec/initContainers/1/env/1/name","value":"AMP_RELEASE"}""", ops[1]!.ToJsonString());
        Assert.Equal("""{"op":"replace","path":"/spec/template/spec/initContainers/1/env/1","value":{"name":"AMP_RELEASE","value":"2.7"}}""", ops[2]!.ToJsonString());
        Assert.True(RolloutExpectation.Env("AMP_RELEASE", "2.7").Matches(dc.Spec.Template.Spec) == false);
    }

    [Fact]
    public void The_release_check_fails_an_init_container_left_on_the_source_release()
    {
        var dc = SystemApp(new V1EnvVar { Name = "AMP_RELEASE", Value = "2.7" });
        dc.Spec.Template!.Spec.InitContainers = [new V1Container { Name = "migrate", Env = [new V1EnvVar { Name = "AMP_RELEASE", Value = "2.6" }] }];
        var state = new NamespaceState("3scale", new Dictionary<string, Cluster.Models.DeploymentConfig> { ["system-app"] = dc }, new Dictionary<string, Cluster.Models.ImageStream>());

        var result = ReleaseCheck.Check(Samples.Plan, state);

        Assert.Equal(CheckOutcome.Failed, result.Outcome);
        Assert.Equal("AMP_RELEASE on system-app init container migrate is 2.6, the plan's target is 2.7", result.Message);
    }
}
