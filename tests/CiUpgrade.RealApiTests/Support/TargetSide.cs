using System.Net;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.RealApiTests.Support;

/// <summary>
/// What a target cluster's admin applies in the 3scale namespace (`oc apply -n NS -f tekton/target/`): the
/// ServiceAccounts, Roles and RoleBindings, created through the API as the repository ships them.
/// </summary>
public static class TargetSide
{
    public static string Directory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CiUpgrade.sln")))
            {
                return Path.Combine(dir.FullName, "tekton", "target");
            }
        }

        throw new InvalidOperationException("cannot find the repository root (CiUpgrade.sln) above " + AppContext.BaseDirectory);
    }

    public static async Task ApplyAsync(RealApi api, string ns)
    {
        foreach (var file in System.IO.Directory.GetFiles(Directory(), "*.yaml").Order(StringComparer.Ordinal))
        {
            foreach (var doc in YamlJson.ParseAll(await File.ReadAllTextAsync(file)).OfType<JsonObject>())
            {
                var path = (string?)doc["kind"] switch
                {
                    "ServiceAccount" => $"api/v1/namespaces/{ns}/serviceaccounts",
                    "Role" => $"apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/roles",
                    "RoleBinding" => $"apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings",
                    var kind => throw new InvalidOperationException($"{file}: {kind} is not a kind tekton/target/ should hold"),
                };
                var answer = await api.PostAsync(path, doc);
                Assert.True(answer.Code == HttpStatusCode.Created, $"{Path.GetFileName(file)}: create {doc["kind"]} {doc.Name()}: {answer}");
            }
        }
    }
}
