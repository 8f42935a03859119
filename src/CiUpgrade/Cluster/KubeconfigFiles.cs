using k8s;
using k8s.KubeConfigModels;

namespace CiUpgrade.Cluster;

/// <summary>
/// Reads kubeconfig files as kubectl does (client-go tools/clientcmd/loader.go, ClientConfigLoadingRules.Load) and
/// checks the context to use before anything connects, so that every problem is one line naming the file and what to
/// do. The rules kept from client-go:
/// - `--kubeconfig` is the only file read, and it must exist; `KUBECONFIG` is a list (':'-separated), read in order,
///   empty entries and repeats dropped, files that do not exist skipped (client-go warns only when all are missing;
///   here that is an error, since nothing else would be tried);
/// - an empty file is an empty config, not an error (clientcmd.Load: "if there's no data in a file, return the
///   default object");
/// - merging: the first file to define a cluster, user or context name wins, whole (the second file's entry of the
///   same name is discarded, even its fields the first left unset), and the first file that sets current-context wins;
/// - relative paths in a file (certificate-authority, client-certificate, client-key, and an exec command that
///   contains a '/') are resolved against that file's directory (ResolveLocalPaths, GetAuthInfoFileReferences).
/// KubernetesClient's own multi-file loader is internal and does not skip missing files, and its single-file loader
/// fails on an empty file with a NullReferenceException, so the files are read here with its public single-stream loader.
/// </summary>
public static class KubeconfigFiles
{
    /// <summary>The files `KUBECONFIG` lists, in order, without empty entries or repeats (client-go's deduplicate).</summary>
    public static IReadOnlyList<string> FromEnvironmentList(string value) =>
        value.Split(Path.PathSeparator).Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Loads and merges <paramref name="paths"/> (the existing ones) and returns the client configuration of
    /// <paramref name="context"/> (else the merged current-context), or throws one line (exit 2).
    /// </summary>
    public static KubernetesClientConfiguration Load(IReadOnlyList<string> paths, string? context, string origin)
    {
        var existing = paths.Where(File.Exists).ToList();
        if (existing.Count == 0)
        {
            throw Bad(paths.Count == 1
                ? $"kubeconfig {paths[0]} does not exist: pass an existing file with --kubeconfig or set KUBECONFIG"
                : $"none of the kubeconfig files {origin} lists exists ({string.Join(", ", paths)}): pass an existing file with --kubeconfig or fix KUBECONFIG");
        }

        var merged = new K8SConfiguration { Clusters = [], Users = [], Contexts = [] };
        foreach (var path in existing)
        {
            Merge(merged, Read(path));
        }

        var files = existing.Count == 1 ? $"kubeconfig {existing[0]}" : $"the kubeconfig files {string.Join(", ", existing)}";
        return Select(merged, context, files);
    }

    /// <summary>One file, its relative paths made absolute; an empty file is an empty config.</summary>
    private static K8SConfiguration Read(string path)
    {
        K8SConfiguration? config;
        try
        {
            using var stream = File.OpenRead(path);
            config = stream.Length == 0 ? null : KubernetesClientConfiguration.LoadKubeConfig(stream);
        }
        catch (Exception e) when (e is YamlDotNet.Core.YamlException or InvalidCastException or InvalidOperationException or FormatException)
        {
            // YAML that is not a mapping of the kubeconfig's shape (a bare scalar fails as a cast in the static deserializer).
            throw Bad($"kubeconfig {path} is not a kubeconfig: {FirstLine(e.Message)} (a YAML file with clusters, users and contexts, as `kubectl config view` shows)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Bad($"cannot read the kubeconfig {path}: {FirstLine(e.Message)}");
        }

        config ??= new K8SConfiguration();
        config.Clusters ??= [];
        config.Users ??= [];
        config.Contexts ??= [];
        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? string.Empty;
        string? Absolute(string? file) => string.IsNullOrEmpty(file) || Path.IsPathRooted(file) ? file : Path.Combine(directory, file);
        foreach (var cluster in config.Clusters.Where(c => c.ClusterEndpoint is not null))
        {
            cluster.ClusterEndpoint.CertificateAuthority = Absolute(cluster.ClusterEndpoint.CertificateAuthority);
        }

        foreach (var credentials in config.Users.Select(u => u.UserCredentials).OfType<UserCredentials>())
        {
            credentials.ClientCertificate = Absolute(credentials.ClientCertificate);
            credentials.ClientKey = Absolute(credentials.ClientKey);
            if (credentials.ExternalExecution is { Command: { } command } exec && command.Contains('/', StringComparison.Ordinal))
            {
                exec.Command = Absolute(command);
            }
        }

        return config;
    }

    private static void Merge(K8SConfiguration into, K8SConfiguration from)
    {
        into.CurrentContext = string.IsNullOrEmpty(into.CurrentContext) ? from.CurrentContext : into.CurrentContext;
        into.Clusters = [.. into.Clusters, .. from.Clusters.Where(c => c.Name is not null && into.Clusters.All(k => k.Name != c.Name))];
        into.Users = [.. into.Users, .. from.Users.Where(u => u.Name is not null && into.Users.All(k => k.Name != u.Name))];
        into.Contexts = [.. into.Contexts, .. from.Contexts.Where(c => c.Name is not null && into.Contexts.All(k => k.Name != c.Name))];
    }

    /// <summary>The chosen context, its cluster and its user, checked one by one; the client configuration built from just those.</summary>
    private static KubernetesClientConfiguration Select(K8SConfiguration merged, string? context, string files)
    {
        if (merged.Contexts.Count == 0 && merged.Clusters.Count == 0 && merged.Users.Count == 0)
        {
            throw Bad($"{files} is empty (no clusters, users or contexts): pass a kubeconfig written by `oc login` or `kubectl config`, or run inside a pod with a service account");
        }

        var contexts = string.Join(", ", merged.Contexts.Select(c => c.Name));
        var name = string.IsNullOrEmpty(context) ? merged.CurrentContext : context;
        if (string.IsNullOrEmpty(name))
        {
            throw Bad($"{files} sets no current-context: pass --context ({(contexts.Length == 0 ? "it defines no context" : "contexts: " + contexts)}) or run `kubectl config use-context NAME`");
        }

        var chosen = merged.Contexts.FirstOrDefault(c => c.Name == name)
            ?? throw Bad($"context \"{name}\" is not in {files} ({(contexts.Length == 0 ? "it defines no context" : "contexts: " + contexts)}): pass --context with one of them");
        var details = chosen.ContextDetails;
        if (string.IsNullOrEmpty(details?.Cluster))
        {
            throw Bad($"context \"{name}\" in {files} names no cluster: set one with `kubectl config set-context {name} --cluster=NAME`");
        }

        var cluster = merged.Clusters.FirstOrDefault(c => c.Name == details.Cluster)
            ?? throw Bad($"context \"{name}\" names cluster \"{details.Cluster}\", which {files} does not define: add it with `kubectl config set-cluster {details.Cluster} --server=URL`");
        if (string.IsNullOrWhiteSpace(cluster.ClusterEndpoint?.Server))
        {
            throw Bad($"cluster \"{cluster.Name}\" in {files} has no server: set it with `kubectl config set-cluster {cluster.Name} --server=URL`");
        }

        var users = new List<User>();
        if (!string.IsNullOrEmpty(details.User))
        {
            users.Add(merged.Users.FirstOrDefault(u => u.Name == details.User)
                ?? throw Bad($"context \"{name}\" names user \"{details.User}\", which {files} does not define: log in again (`oc login`) or add it with `kubectl config set-credentials {details.User}`"));
        }

        // Only the chosen entries: KubernetesClient looks names up ignoring case, kubectl does not.
        var one = new K8SConfiguration { CurrentContext = name, Contexts = [chosen], Clusters = [cluster], Users = users };
        try
        {
            var config = KubernetesClientConfiguration.BuildConfigFromConfigObject(one, name);
            // Every certificate of the certificate authority, as kubectl trusts it (KubernetesClient keeps the first only).
            config.SslCaCerts = CertificateAuthorityTrust.Read(one, name) ?? config.SslCaCerts;
            return config;
        }
#pragma warning disable CA1031 // every failure of the client's own checks (bad certificate data, no credentials, a failing exec plugin, retired auth providers) is one line
        catch (Exception e) when (e is not UpgradeException)
#pragma warning restore CA1031
        {
            throw Bad($"cannot use context \"{name}\" of {files}: {FirstLine(e.Message)}");
        }
    }

    private static UpgradeException Bad(string message) => new(ExitCode.BadInput, message);

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
