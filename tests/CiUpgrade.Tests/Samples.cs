using CiUpgrade.Cluster.Models;
using CiUpgrade.Plans;
using k8s.Models;

namespace CiUpgrade.Tests;

/// <summary>Objects shaped like a 3scale 2.6 install, built in memory for rule tests.</summary>
internal static class Samples
{
    public const string OldDigest = "a5aa6a6442f8b6631df0588381cd50c41f3c80e0f4038dd39048a972c6a73470";
    public const string NewDigest = "99c4b5f123fd1734e69feff6c004f95e623a68df90d881847d4b0d146efb9e50";
    public const string NewRef = "registry.redhat.io/3scale-amp2/apicast-gateway-rhel7@sha256:" + NewDigest;
    public const string OldRef = "registry.redhat.io/3scale-amp26/apicast-gateway@sha256:" + OldDigest;

    public static UpgradePlan Plan { get; } = PlanLoader.LoadEmbedded();

    public static ImageStreamStep ApicastStep => Plan.ImageStreams.Single(s => s.Name == "amp-apicast");

    public static TagReference Tag(string name, string kind, string from, string? displayName = null, string policy = "Source") => new()
    {
        Name = name,
        From = new V1ObjectReference { Kind = kind, Name = from },
        Annotations = displayName is null ? null : new Dictionary<string, string> { ["openshift.io/display-name"] = displayName },
        ReferencePolicy = new TagReferencePolicy { Type = policy },
    };

    /// <summary>amp-apicast as a 2.6 install has it: 2.6 imported, latest → 2.6.</summary>
    public static ImageStream Apicast26() => new()
    {
        Metadata = new V1ObjectMeta { Name = "amp-apicast", NamespaceProperty = "3scale", ResourceVersion = "412233" },
        Spec = new ImageStreamSpec
        {
            Tags = [Tag("2.6", "DockerImage", "registry.redhat.io/3scale-amp26/apicast-gateway", "AMP APIcast 2.6"), Tag("latest", "ImageStreamTag", "2.6", "AMP APIcast (latest)")],
        },
        Status = new ImageStreamStatus
        {
            DockerImageRepository = "image-registry.openshift-image-registry.svc:5000/3scale/amp-apicast",
            Tags =
            [
                new NamedTagEventList { Tag = "2.6", Items = [new TagEvent { DockerImageReference = OldRef, Image = "sha256:" + OldDigest, Generation = 2 }] },
                new NamedTagEventList { Tag = "latest", Items = [new TagEvent { DockerImageReference = OldRef, Image = "sha256:" + OldDigest, Generation = 2 }] },
            ],
        },
    };

    /// <summary>amp-apicast after the runbook's patches and the import of 2.7.</summary>
    public static ImageStream Apicast27()
    {
        var s = Apicast26();
        s.Spec.Tags =
        [
            s.Spec.Tags![0],
            Tag("2.7", "DockerImage", "registry.redhat.io/3scale-amp2/apicast-gateway-rhel7:3scale2.7", "AMP APIcast 2.7"),
            Tag("latest", "ImageStreamTag", "2.7", "AMP APIcast (latest)"),
        ];
        var item = new TagEvent { DockerImageReference = NewRef, Image = "sha256:" + NewDigest, Generation = 5 };
        s.Status!.Tags = [s.Status.Tags![0], new NamedTagEventList { Tag = "2.7", Items = [item] }, new NamedTagEventList { Tag = "latest", Items = [item] }];
        return s;
    }

    /// <summary>apicast-production rolled out at <paramref name="version"/> running <paramref name="image"/>.</summary>
    public static DeploymentConfig ApicastProduction(string image, long version = 1, long generation = 2, long observed = 2,
        string progressingReason = "NewReplicationControllerAvailable", int available = 1, int replicas = 1, int updated = 1) => new()
    {
        Metadata = new V1ObjectMeta { Name = "apicast-production", NamespaceProperty = "3scale", Generation = generation, ResourceVersion = "100" },
        Spec = new DeploymentConfigSpec
        {
            Replicas = 1,
            Triggers =
            [
                new DeploymentTriggerPolicy { Type = "ConfigChange" },
                new DeploymentTriggerPolicy
                {
                    Type = "ImageChange",
                    ImageChangeParams = new ImageChangeParams
                    {
                        Automatic = true,
                        ContainerNames = ["system-master-svc", "apicast-production"],
                        From = new V1ObjectReference { Kind = "ImageStreamTag", Name = "amp-apicast:latest" },
                        LastTriggeredImage = image,
                    },
                },
            ],
            Template = PodTemplate(image),
        },
        Status = new DeploymentConfigStatus
        {
            LatestVersion = version,
            ObservedGeneration = observed,
            Replicas = replicas,
            UpdatedReplicas = updated,
            AvailableReplicas = available,
            Conditions =
            [
                new DeploymentCondition { Type = "Available", Status = "True" },
                new DeploymentCondition
                {
                    Type = "Progressing",
                    Status = progressingReason == "ProgressDeadlineExceeded" ? "False" : "True",
                    Reason = progressingReason,
                    Message = progressingReason == "ProgressDeadlineExceeded"
                        ? $"replication controller \"apicast-production-{version}\" has failed progressing"
                        : $"replication controller \"apicast-production-{version}\" successfully rolled out",
                },
            ],
        },
    };

    public static V1PodTemplateSpec PodTemplate(string image) => new()
    {
        Spec = new V1PodSpec
        {
            InitContainers = [new V1Container { Name = "system-master-svc", Image = image }],
            Containers = [new V1Container { Name = "apicast-production", Image = image }],
        },
    };

    public static V1ReplicationController Rc(string name, string phase, string image, int replicas, int available) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Annotations = new Dictionary<string, string> { ["openshift.io/deployment.phase"] = phase } },
        Spec = new V1ReplicationControllerSpec { Replicas = replicas, Template = PodTemplate(image) },
        Status = new V1ReplicationControllerStatus { Replicas = replicas, AvailableReplicas = available },
    };
}
