using System.Globalization;

namespace CiUpgrade.Rules;

/// <summary>
/// What to say when build-oracle-system's binary upload does not get through: the upload named with its size, never
/// "cannot reach the API server" for a server that answered. OpenShift's own API server takes a build context of any
/// size: binaryInstantiateHandler.handle streams the request body into the build pod's stdin and reads no more of it
/// itself (buildconfiginstantiate/rest.go in openshift/origin and openshift-apiserver: remotecommand StreamOptions with
/// Stdin set to the body); the request is long-running, so no request timeout cuts it (openshift-apiserver
/// apiserverconfig IsLongRunningRequest: buildconfigs/instantiatebinary); and Kubernetes 1.11's generic API server has
/// no request body limit (the 3 MiB MaxRequestBodyBytes of k8s.io/apiserver, from 1.14, bounds the objects that
/// create, update and patch decode, not a connect subresource's stream). So a refusal comes from something between the
/// tool and the API server (an HTTP proxy's body limit: nginx's client_max_body_size answers 413) or from the build
/// pod (its disk).
/// </summary>
public static class UploadRefusal
{
    /// <summary>The server (or a proxy in front of it) answered 413 Request Entity Too Large.</summary>
    public static UpgradeException TooLarge(string clientDir, int files, long contentBytes, long sent, string answer) => new(ExitCode.RolloutFailed,
        $"the upload of the Oracle build context was refused as too large: {What(clientDir, files, contentBytes, sent)}; the answer: {answer}. "
        + "OpenShift's API server takes a build context of any size, so a proxy between here and it limits request bodies: raise its limit "
        + "(nginx: client_max_body_size) or run this stage where it reaches the API server directly, then rerun it");

    /// <summary>
    /// The connection broke while the archive was being sent. <paramref name="serverAnswers"/>: whether the API server
    /// answered a request made just after (then it, or a proxy, refused the upload; else the cluster went away).
    /// </summary>
    public static UpgradeException BrokeOff(string clientDir, int files, long contentBytes, long sent, string cause, bool serverAnswers, Exception inner) => serverAnswers
        ? new(ExitCode.RolloutFailed,
            $"the upload of the Oracle build context broke off: {What(clientDir, files, contentBytes, sent)} ({cause}), and the API server still answers: "
            + "it or a proxy in front of it closed the connection (a proxy's request body limit or timeout, or the build pod ran out of space); "
            + $"see `oc get builds` and the build's events, raise the limit, then rerun this stage (a build the upload left behind is cancelled by the server)", inner)
        : new(ExitCode.ClusterUnreachable,
            $"the upload of the Oracle build context broke off and the API server no longer answers: {What(clientDir, files, contentBytes, sent)} ({cause}); "
            + "rerun this stage once the cluster is reachable", inner);

    /// <summary>"--oracle-client-dir DIR (N files, 41.9 MiB; 12.0 MiB of its gzipped archive sent)".</summary>
    public static string What(string clientDir, int files, long contentBytes, long sent) =>
        $"--oracle-client-dir {clientDir} ({files} files, {Size(contentBytes)}; {Size(sent)} of its gzipped archive sent)";

    public static string Size(long bytes) => bytes >= 1024 * 1024
        ? (bytes / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB"
        : bytes >= 1024 ? (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB" : bytes.ToString(CultureInfo.InvariantCulture) + " bytes";
}
