using CiUpgrade.Plans;

namespace CiUpgrade.Tests.Plans;

public sealed class PlanLoaderTests
{
    [Fact]
    public void Embedded_plan_restates_the_runbook_order_images_and_triggers()
    {
        var plan = PlanLoader.LoadEmbedded();

        Assert.Equal(("2.6", "2.7"), (plan.Source, plan.Target));
        Assert.Equal(["amp-system", "amp-apicast", "amp-backend", "amp-zync", "system-memcached", "zync-database-postgresql"],
            plan.ImageStreams.Where(s => !s.Optional).Select(s => s.Name));
        var system = plan.ImageStreams[0];
        Assert.Equal("registry.redhat.io/3scale-amp2/system-rhel7:3scale2.7", system.Image);
        Assert.Equal(("AMP system 2.7", "AMP system (latest)"), (system.DisplayName, system.LatestDisplayName));
        Assert.Equal(["system-app", "system-sidekiq", "system-sphinx"], system.Triggers);
        Assert.Equal("registry.redhat.io/rhscl/postgresql-10-rhel7", plan.ImageStreams[5].Image);
        Assert.Equal(16, plan.Verify.Count);
    }

    [Theory]
    [InlineData("target: '2.8'\nimageStreams: []\nverify: []", "source: is required")]
    [InlineData("source: '2.7'\ntarget: '2.8'\nrelease: {deploymentConfig: system-app, env: AMP_RELEASE}\nimageStreams:\n- {name: amp-system, image: 'not a pull spec', triggers: [system-app]}\nverify: [{deploymentConfig: system-app, repository: registry.redhat.io/3scale-amp2/system-rhel7}]", "imageStreams[0].image")]
    [InlineData("source: '2.7'\ntarget: '2.8'\nrelease: {deploymentConfig: system-app, env: AMP_RELEASE}\nimageStreams:\n- {name: amp-system, image: registry.redhat.io/a/b:1}\nverify: [{deploymentConfig: system-app, repository: registry.redhat.io/a/b}]", "imageStreams[0].triggers")]
    [InlineData("source: '2.7'\ntarget: '2.8'\nrelease: {deploymentConfig: system-app, env: AMP_RELEASE}\nimageStreams:\n- {name: amp-system, image: registry.redhat.io/a/b:1, triggers: [system-app]}\nverify: [{deploymentConfig: system-app, repository: 'registry.redhat.io/a/b:1'}]", "verify[0].repository")]
    [InlineData("source: '2.7'\ntarget: '2.8'\nbogus: 1", "line 3")]
    [InlineData("source: '2.7'\ntarget: '2.8'\nrelease: {deploymentConfig: system-app, env: AMP_RELEASE}\nimageStreams:\n- {name: amp-system, image: registry.redhat.io/a/b:1, triggers: [system-app]}\nverify: [{deploymentConfig: system-app, repository: registry.redhat.io/a/b, mustRun: sometimes}]", "line 6")]
    public void Invalid_plan_is_refused_naming_the_bad_field(string yaml, string expected)
    {
        var e = Assert.Throws<UpgradeException>(() => PlanLoader.Parse(yaml, "plan file p.yaml"));

        Assert.Equal(ExitCode.BadInput, e.ExitCode);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_json_plan_file_loads_too()
    {
        var json = """{"source":"2.7","target":"2.8","release":{"deploymentConfig":"system-app","env":"AMP_RELEASE"},"imageStreams":[{"name":"amp-system","image":"registry.redhat.io/3scale-amp2/system-rhel7:3scale2.8","triggers":["system-app"]}],"verify":[{"deploymentConfig":"system-app","repository":"registry.redhat.io/3scale-amp2/system-rhel7"}]}""";

        var plan = PlanLoader.Parse(json, "plan.json");

        Assert.Equal("2.8", plan.Target);
        Assert.Equal("amp-system 2.8", plan.ImageStreams[0].DisplayName);
    }

    [Fact]
    public void A_verify_entry_may_require_its_dc_to_run()
    {
        var yaml = "source: '2.7'\ntarget: '2.8'\nrelease: {deploymentConfig: system-app, env: AMP_RELEASE}\nimageStreams:\n- {name: amp-system, image: registry.redhat.io/a/b:1, triggers: [system-app]}\n"
            + "verify: [{deploymentConfig: system-app, repository: registry.redhat.io/a/b, mustRun: true}, {deploymentConfig: apicast-staging, repository: registry.redhat.io/a/c}]";

        var plan = PlanLoader.Parse(yaml, "p.yaml");

        Assert.Equal([true, false], plan.Verify.Select(v => v.MustRun));
        Assert.DoesNotContain(PlanLoader.LoadEmbedded().Verify, v => v.MustRun);
    }
}
