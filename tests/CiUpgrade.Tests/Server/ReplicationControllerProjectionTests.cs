using System.Text;
using System.Text.Json;
using CiUpgrade.Cluster;
using k8s.Models;

namespace CiUpgrade.Tests.Server;

public sealed class ReplicationControllerProjectionTests
{
    // One RC as OpenShift's deployer writes it (trimmed): the DC it came from encoded in an annotation (made larger than
    // the serializer's read buffer, so the annotations arrive in pieces), a full pod template.
    private static readonly string Page = """
        {"kind":"ReplicationControllerList","apiVersion":"v1","metadata":{"resourceVersion":"1400","continue":"next"},"items":[
        {"kind":"ReplicationController","apiVersion":"v1","metadata":{"name":"system-app-2","namespace":"tenant-0",
          "labels":{"app":"3scale-api-management","openshift.io/deployment-config.name":"system-app"},
          "annotations":{"openshift.io/deployment-config.name":"system-app","openshift.io/deployment-config.latest-version":"2",
            "openshift.io/deployment.phase":"Complete","openshift.io/encoded-deployment-config":"{\"kind\":\"DeploymentConfig\",\"spec\":{\"replicas\":1},\"x\":\"LARGE\"}",
            "kubectl.kubernetes.io/last-applied-configuration":"{}","openshift.io/deployment.replicas":"1"},
          "ownerReferences":[{"apiVersion":"apps.openshift.io/v1","kind":"DeploymentConfig","name":"system-app","uid":"u1","controller":true}],
          "generation":2,"uid":"u2","creationTimestamp":"2026-11-26T02:02:44Z","resourceVersion":"1345"},
         "spec":{"replicas":1,"selector":{"deployment":"system-app-2"},
          "template":{"metadata":{"labels":{"deployment":"system-app-2"}},"spec":{
            "initContainers":[{"name":"check-svc","image":"registry.redhat.io/3scale-amp27/system@sha256:aa","command":["sh","-c","true"]}],
            "containers":[{"name":"system-master","image":"registry.redhat.io/3scale-amp27/system@sha256:bb",
              "env":[{"name":"X","valueFrom":{"configMapKeyRef":{"name":"system-environment","key":"X"}}}],
              "livenessProbe":{"httpGet":{"path":"/status","port":3000}},"resources":{"limits":{"cpu":"1","memory":"800Mi"}},
              "volumeMounts":[{"name":"system-storage","mountPath":"/opt/system/public/system"}]}],
            "volumes":[{"name":"system-storage","persistentVolumeClaim":{"claimName":"system-storage"}}],"serviceAccountName":"amp"}}},
         "status":{"replicas":1,"availableReplicas":1,"readyReplicas":1,"observedGeneration":2}}]}
        """.Replace("LARGE", new string('x', 40_000), StringComparison.Ordinal);

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100_000)]
    public async Task An_RC_is_read_with_what_the_rollout_rules_need_and_without_its_pod_template_details(int bytesPerRead)
    {
        // Read as it arrives from the network, a few bytes at a time.
        var page = await JsonSerializer.DeserializeAsync(new Trickle(Encoding.UTF8.GetBytes(Page), bytesPerRead), ReplicationControllerProjection.ListTypeInfo);

        Assert.Equal("next", page!.Metadata.ContinueProperty);
        var rc = Assert.Single(page.Items);
        Assert.Equal(("system-app-2", "tenant-0"), (rc.Metadata.Name, rc.Metadata.NamespaceProperty));
        Assert.Equal("system-app", rc.Metadata.Labels["openshift.io/deployment-config.name"]);
        Assert.Equal(
            ["openshift.io/deployment-config.latest-version", "openshift.io/deployment-config.name", "openshift.io/deployment.phase", "openshift.io/deployment.replicas"],
            rc.Metadata.Annotations.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("Complete", rc.Metadata.Annotations["openshift.io/deployment.phase"]);
        Assert.Equal((1, 1, 1), (rc.Spec.Replicas, rc.Status.Replicas, rc.Status.AvailableReplicas));
        var spec = rc.Spec.Template.Spec;
        Assert.Equal(("check-svc", "registry.redhat.io/3scale-amp27/system@sha256:aa"), (spec.InitContainers.Single().Name, spec.InitContainers.Single().Image));
        var container = spec.Containers.Single();
        Assert.Equal(("system-master", "registry.redhat.io/3scale-amp27/system@sha256:bb"), (container.Name, container.Image));
        Assert.Null(container.Env);
        Assert.Null(container.LivenessProbe);
        Assert.Null(spec.Volumes);
        Assert.Null(rc.Metadata.OwnerReferences);
    }

    private sealed class Trickle(byte[] data, int bytesPerRead) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, bytesPerRead)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, bytesPerRead), cancellationToken);
    }
}
