namespace CiUpgrade.Simulator.Api;

/// <summary>One request the server answered, for tests that assert what a client sent.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, string? ContentType, string User, int StatusCode, string? Body)
{
    public bool IsWatch => Query.Contains("watch=true", StringComparison.Ordinal) || Query.Contains("watch=1", StringComparison.Ordinal);
}
