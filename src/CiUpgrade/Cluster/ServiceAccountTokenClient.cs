using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CiUpgrade.Cluster;

/// <summary>
/// The requests target-kubeconfig sends with an admin's credentials: the ServiceAccount, its token Secrets, a token
/// Secret to create (Kubernetes ≥ 1.24) and a TokenRequest. Errors map as the stages' do (<see cref="ApiErrorMapping"/>);
/// a 404 is an absent object (null).
/// </summary>
public sealed class ServiceAccountTokenClient(Kubernetes kube, string ns)
{
    private string Server => kube.BaseUri.ToString().TrimEnd('/');

    public Task<V1ServiceAccount?> GetServiceAccountAsync(string name, CancellationToken ct) =>
        OrNullAsync("get serviceaccounts", "serviceaccounts", name, () => kube.CoreV1.ReadNamespacedServiceAccountAsync(name, ns, cancellationToken: ct));

    public Task<V1Secret?> GetSecretAsync(string name, CancellationToken ct) =>
        OrNullAsync("get secrets", "secrets", name, () => kube.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: ct));

    /// <summary>The namespace's Secrets (an admin's read): the token Secrets of an account are found by type and annotation.</summary>
    public async Task<IReadOnlyList<V1Secret>> ListSecretsAsync(CancellationToken ct) =>
        (await OrNullAsync("list secrets", "secrets", string.Empty, () => kube.CoreV1.ListNamespacedSecretAsync(ns, cancellationToken: ct)))?.Items.ToList() ?? [];

    public Task<V1ConfigMap?> GetConfigMapAsync(string name, CancellationToken ct) =>
        OrNullAsync("get configmaps", "configmaps", name, () => kube.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: ct));

    /// <summary>Creates the Secret, or returns null when one of that name exists already (409).</summary>
    public async Task<V1Secret?> CreateSecretAsync(V1Secret secret, CancellationToken ct)
    {
        try
        {
            return await kube.CoreV1.CreateNamespacedSecretAsync(secret, ns, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return null;
        }
        catch (HttpOperationException e)
        {
            throw ApiErrorMapping.Translate(e, Server, ns, "create secrets", "secrets", string.Empty, secret.Metadata.Name);
        }
    }

    /// <summary>POST serviceaccounts/NAME/token; null when the server does not serve TokenRequest (404 on the subresource).</summary>
    public async Task<Authenticationv1TokenRequest?> RequestTokenAsync(string account, long expirationSeconds, CancellationToken ct)
    {
        var request = new Authenticationv1TokenRequest
        {
            ApiVersion = "authentication.k8s.io/v1",
            Kind = "TokenRequest",
            Spec = new V1TokenRequestSpec { Audiences = [], ExpirationSeconds = expirationSeconds },
        };
        return await OrNullAsync("create serviceaccounts/token", "serviceaccounts/token", account,
            () => kube.CoreV1.CreateNamespacedServiceAccountTokenAsync(request, account, ns, cancellationToken: ct));
    }

    private async Task<T?> OrNullAsync<T>(string action, string resource, string name, Func<Task<T>> call)
        where T : class
    {
        try
        {
            return await call();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (HttpOperationException e)
        {
            throw ApiErrorMapping.Translate(e, Server, ns, action, resource, string.Empty, name);
        }
    }
}
