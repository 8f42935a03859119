using k8s.Models;

namespace CiUpgrade.Rules;

/// <summary>
/// The pod a data restore extracts system-storage through while system-app is scaled to 0 (../shared/docs/restore.md
/// §3.4: "with system-app scaled to 0 you need another pod mounting system-storage"): made from system-app's pod
/// template as `oc debug dc/system-app` makes its pod (openshift/oc pkg/cli/debug: the template's container, its
/// command replaced, no probes, no labels the DC's selector or a Service would match), keeping only the container that
/// mounts the claim and that one volume; it sleeps while the restore execs into it, for at most an hour (a restore
/// killed and never rerun leaves a pod that ends by itself), and the restore deletes it when done.
/// </summary>
public static class StorageRestorePod
{
    public const string Name = "ciupgrade-restore-storage";
    public const int Lifetime = 3600;

    /// <summary>The pod, or null when the template mounts no system-storage claim.</summary>
    public static V1Pod? From(V1PodTemplateSpec? template)
    {
        var spec = template?.Spec;
        if (StorageArchive.MountIn(spec) is not { } mount)
        {
            return null;
        }

        var container = spec!.Containers.Single(c => c.Name == mount.Container);
        var volume = spec.Volumes.First(v => v.PersistentVolumeClaim?.ClaimName == StorageArchive.Claim);
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = Name,
                Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "ciupgrade", ["ciupgrade/purpose"] = "restore-system-storage" },
            },
            Spec = new V1PodSpec
            {
                Containers =
                [
                    new V1Container
                    {
                        Name = container.Name,
                        Image = container.Image,
                        Command = ["sleep", Lifetime.ToString(System.Globalization.CultureInfo.InvariantCulture)],
                        VolumeMounts = container.VolumeMounts.Where(m => m.Name == volume.Name).ToList(),
                        SecurityContext = container.SecurityContext,
                    },
                ],
                Volumes = [volume],
                RestartPolicy = "Never",
                ActiveDeadlineSeconds = Lifetime,
                ServiceAccountName = spec.ServiceAccountName,
                SecurityContext = spec.SecurityContext,
                TerminationGracePeriodSeconds = 5,
            },
        };
    }
}
