using System.Text.Json;
using System.Text.Json.Nodes;
using CiUpgrade.Cluster;
using CiUpgrade.Cluster.Models;
using CiUpgrade.Rules;

namespace CiUpgrade.Tests.Server;

public sealed class DeploymentConfigProjectionTests
{
    // system-app as the 2.7 template makes it (trimmed), upgraded: a pre hook with its own environment, image triggers,
    // and a pod template with everything the projection leaves out (volumes, probes, resources, security context,
    // envFrom), plus managedFields as a 4.x server sends them.
    private const string List = """
        {"kind":"DeploymentConfigList","apiVersion":"apps.openshift.io/v1","metadata":{"resourceVersion":"2400"},"items":[
        {"metadata":{"name":"system-app","namespace":"3scale","generation":3,"resourceVersion":"2300","labels":{"app":"3scale-api-management"},
          "annotations":{"openshift.io/generated-by":"OpenShiftNewApp"},
          "managedFields":[{"manager":"ciupgrade","operation":"Update","apiVersion":"apps.openshift.io/v1","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{}}}]},
         "spec":{"replicas":1,
          "strategy":{"type":"Rolling","rollingParams":{"pre":{"failurePolicy":"Retry","execNewPod":{"containerName":"system-master",
            "command":["bash","-c","bundle exec rake boot openshift:deploy"],"env":[{"name":"AMP_RELEASE","value":"2.7"}]}}}},
          "triggers":[{"type":"ConfigChange"},{"type":"ImageChange","imageChangeParams":{"automatic":true,"containerNames":["system-master","system-provider","system-developer"],
            "from":{"kind":"ImageStreamTag","name":"amp-system:latest"},"lastTriggeredImage":"registry.redhat.io/3scale-amp2/system-rhel7@sha256:27"}}],
          "template":{"metadata":{"labels":{"deploymentConfig":"system-app"}},"spec":{
            "initContainers":[{"name":"check-svc","image":"registry.redhat.io/3scale-amp2/system-rhel7@sha256:27","command":["sh","-c","true"],
              "env":[{"name":"AMP_RELEASE","valueFrom":{"configMapKeyRef":{"name":"system-environment","key":"AMP_RELEASE"}}}]}],
            "containers":[{"name":"system-master","image":"registry.redhat.io/3scale-amp2/system-rhel7@sha256:27",
              "env":[{"name":"AMP_RELEASE","value":"2.7"},{"name":"SECRET_KEY_BASE","valueFrom":{"secretKeyRef":{"name":"system-app","key":"SECRET_KEY_BASE"}}}],
              "envFrom":[{"configMapRef":{"name":"system-environment"}}],
              "livenessProbe":{"tcpSocket":{"port":"master"},"initialDelaySeconds":40},"resources":{"limits":{"cpu":"1","memory":"800Mi"}},
              "securityContext":{"capabilities":{"drop":["ALL"]}},"volumeMounts":[{"name":"system-storage","mountPath":"/opt/system/public/system"}]}],
            "volumes":[{"name":"system-storage","persistentVolumeClaim":{"claimName":"system-storage"}},{"name":"system-config","configMap":{"name":"system","items":[{"key":"zync.yml","path":"zync.yml"}]}}],
            "serviceAccountName":"amp","affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]}]}}}}}},
         "status":{"latestVersion":3,"observedGeneration":3,"replicas":1,"updatedReplicas":1,"availableReplicas":1,
          "conditions":[{"type":"Available","status":"True"},{"type":"Progressing","status":"True","reason":"NewReplicationControllerAvailable"}]}}]}
        """;

    private static readonly string[] KeptPodSpec = ["containers", "initContainers"];

    private static readonly string[] KeptContainer = ["name", "image", "env"];

    [Fact]
    public void A_DC_is_read_whole_but_for_the_pod_spec_and_container_members_and_managed_fields_no_rule_reads()
    {
        var whole = JsonSerializer.Deserialize(List, OpenShiftJson.TypeInfo<ResourceList<DeploymentConfig>>(OpenShiftJson.Options))!;
        var projected = JsonSerializer.Deserialize(List, DeploymentConfigProjection.ListTypeInfo)!;

        // What the projection read, written back, is the whole DC less exactly those members.
        var expected = JsonNode.Parse(JsonSerializer.Serialize(whole.Items.Single(), OpenShiftJson.TypeInfo<DeploymentConfig>(OpenShiftJson.Options)))!.AsObject();
        expected["metadata"]!.AsObject().Remove("managedFields");
        var podSpec = expected["spec"]!["template"]!["spec"]!.AsObject();
        foreach (var member in podSpec.Select(kv => kv.Key).Except(KeptPodSpec).ToList())
        {
            podSpec.Remove(member);
        }

        foreach (var container in podSpec["containers"]!.AsArray().Concat(podSpec["initContainers"]!.AsArray()).Select(c => c!.AsObject()))
        {
            foreach (var member in container.Select(kv => kv.Key).Except(KeptContainer).ToList())
            {
                container.Remove(member);
            }
        }

        var actual = JsonNode.Parse(JsonSerializer.Serialize(projected.Items.Single(), OpenShiftJson.TypeInfo<DeploymentConfig>(OpenShiftJson.Options)))!;
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected {expected.ToJsonString()}\nactual   {actual.ToJsonString()}");
        Assert.Equal("2400", projected.Metadata.ResourceVersion);
        Assert.NotNull(whole.Items.Single().Spec.Template!.Spec.Volumes);
        Assert.Null(projected.Items.Single().Spec.Template!.Spec.Volumes);
    }

    [Fact]
    public void Verify_judges_a_projected_DC_as_it_judges_the_whole_one()
    {
        var whole = JsonSerializer.Deserialize(List, OpenShiftJson.TypeInfo<ResourceList<DeploymentConfig>>(OpenShiftJson.Options))!.Items.Single();
        var projected = JsonSerializer.Deserialize(List, DeploymentConfigProjection.ListTypeInfo)!.Items.Single();

        static IReadOnlyList<DigestResult> Judged(DeploymentConfig dc) =>
            VerifyRules.Check(Samples.Plan, new NamespaceState("3scale", new Dictionary<string, DeploymentConfig> { [dc.Metadata.Name] = dc }, new Dictionary<string, ImageStream>()));

        var verdicts = Judged(projected);
        Assert.Equal(Judged(whole).Select(r => (r.DeploymentConfig, r.Outcome, r.Message, string.Join("; ", r.Problems))),
            verdicts.Select(r => (r.DeploymentConfig, r.Outcome, r.Message, string.Join("; ", r.Problems))));
        Assert.Contains(verdicts, r => r.DeploymentConfig == "system-app");
    }
}
