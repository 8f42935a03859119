using System.Net;
using CiUpgrade.Simulator.Tests.Support;

namespace CiUpgrade.Simulator.Tests.Api;

public sealed class AuthTests : ClusterTest
{
    private const string ReadOnlyRole = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: reader
          namespace: 3scale
        rules:
        - apiGroups: ["image.openshift.io"]
          resources: ["imagestreams"]
          verbs: ["get", "list", "watch"]
        """;

    [Fact]
    public async Task Unknown_token_gets_401_unauthorized()
    {
        using var api = Api("sha256~not-a-token");
        var (code, status, _) = await api.GetAsync("/apis/image.openshift.io/v1/namespaces/3scale/imagestreams");

        Assert.Equal(HttpStatusCode.Unauthorized, code);
        Assert.Equal("Unauthorized", (string?)status!["reason"]);
    }

    [Fact]
    public async Task Role_without_patch_gets_403_with_the_real_message()
    {
        var token = Cluster.AddServiceAccountToken(Ns, "ciupgrade", ReadOnlyRole);
        using var api = Api(token);

        var (readCode, _, _) = await api.GetAsync("/apis/image.openshift.io/v1/namespaces/3scale/imagestreams/amp-system");
        var (code, status, _) = await api.SendAsync(HttpMethod.Patch, "/apis/image.openshift.io/v1/namespaces/3scale/imagestreams/amp-system", "{}", "application/merge-patch+json");

        Assert.Equal(HttpStatusCode.OK, readCode);
        Assert.Equal(HttpStatusCode.Forbidden, code);
        Assert.Equal("Forbidden", (string?)status!["reason"]);
        Assert.Equal("imagestreams.image.openshift.io \"amp-system\" is forbidden: User \"system:serviceaccount:3scale:ciupgrade\" cannot patch resource \"imagestreams\" in API group \"image.openshift.io\" in the namespace \"3scale\"", (string?)status["message"]);
    }

    [Fact]
    public async Task Kubectl_with_a_read_only_role_cannot_patch()
    {
        var token = Cluster.AddServiceAccountToken(Ns, "ciupgrade", ReadOnlyRole);
        var kubeconfig = Cluster.WriteKubeconfig(Path_("ro.kubeconfig"), token, Ns);

        var (code, _, error) = await Kubectl.RunAsync(kubeconfig, "patch", "is/amp-system", "--type=json", "-p", "[]");

        Assert.NotEqual(0, code);
        Assert.Contains("cannot patch resource \"imagestreams\" in API group \"image.openshift.io\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Role_applies_only_in_its_namespace()
    {
        var token = Cluster.AddServiceAccountToken(Ns, "ciupgrade", ReadOnlyRole);
        using var api = Api(token);

        var (code, _, _) = await api.GetAsync("/apis/image.openshift.io/v1/namespaces/other/imagestreams");

        Assert.Equal(HttpStatusCode.Forbidden, code);
    }

    [Fact]
    public async Task Self_subject_access_review_answers_from_the_same_rules()
    {
        var token = Cluster.AddServiceAccountToken(Ns, "ciupgrade", ReadOnlyRole);
        using var api = Api(token);
        const string review = """{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":{"namespace":"3scale","verb":"VERB","group":"image.openshift.io","resource":"imagestreams"}}}""";

        var (_, get, _) = await api.SendAsync(HttpMethod.Post, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review.Replace("VERB", "get", StringComparison.Ordinal));
        var (_, patch, _) = await api.SendAsync(HttpMethod.Post, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review.Replace("VERB", "patch", StringComparison.Ordinal));

        Assert.True((bool)get!["status"]!["allowed"]!);
        Assert.False((bool)patch!["status"]!["allowed"]!);
    }
}
