namespace CiUpgrade.Plans;

/// <summary>An upgrade from one 3scale release to the next, as the runbook describes it.</summary>
public sealed record UpgradePlan(
    string Source,
    string Target,
    ReleaseSetting Release,
    OracleSetting Oracle,
    IReadOnlyList<ImageStreamStep> ImageStreams,
    IReadOnlyList<VerifyCheck> Verify,
    PreHookSetting? PreHook = null);

/// <summary>The env var on a DC that shows the installed release (runbook step 8).</summary>
public sealed record ReleaseSetting(string DeploymentConfig, string Env, string? ConfigMap);

/// <summary>
/// Step 2.2 of the guide: the pre-deployment hook of <see cref="DeploymentConfig"/> that migrates the data, as the
/// source and target releases' commands, where <see cref="Placeholder"/> stands for key <see cref="Key"/> of secret
/// <see cref="Secret"/> (the master access token).
/// </summary>
public sealed record PreHookSetting(string DeploymentConfig, string Secret, string Key, IReadOnlyList<string> Source, IReadOnlyList<string> Target)
{
    public string Placeholder => "${" + Key + "}";
}

/// <summary>How an Oracle-backed system builds its amp-system image.</summary>
public sealed record OracleSetting(string BuildConfig, string ImageStream);

/// <summary>One image stream to retag (runbook steps 1-7) and the DCs its `latest` tag triggers.</summary>
public sealed record ImageStreamStep(string Name, string Image, string DisplayName, string LatestDisplayName, IReadOnlyList<string> Triggers, bool Optional);

/// <summary>
/// One DC whose images must come from <see cref="Repository"/>, pinned by digest (runbook step 9). <see cref="MustRun"/>:
/// the DC may not be scaled to zero (<see cref="Rules.ScaledToZero"/>); otherwise 0 replicas is reported, not failed.
/// </summary>
public sealed record VerifyCheck(string DeploymentConfig, string Repository, bool Optional, bool MustRun = false);
