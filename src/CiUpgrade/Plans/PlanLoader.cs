using System.Reflection;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace CiUpgrade.Plans;

/// <summary>Loads the embedded plan or a plan file (YAML, or JSON which YAML parses too) and validates it field by field.</summary>
public static partial class PlanLoader
{
    public const string EmbeddedPlanName = "3scale-2.6-to-2.7.yaml";

    public static UpgradePlan LoadEmbedded()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"CiUpgrade.Plans.{EmbeddedPlanName}")
            ?? throw new InvalidOperationException("the embedded plan is missing from the build");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "embedded plan");
    }

    /// <summary>The embedded plan when <paramref name="path"/> is null, else that file.</summary>
    public static UpgradePlan Load(string? path)
    {
        if (path is null)
        {
            return LoadEmbedded();
        }

        if (!File.Exists(path))
        {
            throw new UpgradeException(ExitCode.BadInput, $"plan file {path} does not exist: pass an existing YAML or JSON plan with --plan, or omit --plan for the built-in 2.6 to 2.7 plan");
        }

        return Parse(File.ReadAllText(path), $"plan file {path}");
    }

    public static UpgradePlan Parse(string text, string origin)
    {
        PlanDocument? doc;
        try
        {
            doc = new StaticDeserializerBuilder(new PlanYamlContext()).WithNamingConvention(CamelCaseNamingConvention.Instance).Build().Deserialize<PlanDocument>(text);
        }
        catch (YamlException e)
        {
            var detail = e.InnerException?.Message ?? e.Message;
            throw new UpgradeException(ExitCode.BadInput, $"{origin}: line {e.Start.Line}: {detail.Split('\n')[0]}");
        }

        return Validate(doc ?? new PlanDocument(), origin);
    }

    private static UpgradePlan Validate(PlanDocument doc, string origin)
    {
        string Bad(string field, string problem) => throw new UpgradeException(ExitCode.BadInput, $"{origin}: {field}: {problem}");
        string Required(string? value, string field) => string.IsNullOrWhiteSpace(value) ? Bad(field, "is required") : value;
        string Name(string? value, string field) => Required(value, field).Length <= 253 && Dns1123().IsMatch(value!) ? value! : Bad(field, $"\"{(value!.Length > 80 ? value[..80] + "…" : value)}\" is not a valid object name");

        var source = Required(doc.Source, "source");
        var target = Required(doc.Target, "target");
        if (source == target)
        {
            Bad("target", "must differ from source");
        }

        var release = doc.Release ?? new ReleaseDocument();
        var releaseSetting = new ReleaseSetting(Name(release.DeploymentConfig, "release.deploymentConfig"), Required(release.Env, "release.env"), release.ConfigMap);
        var oracle = doc.Oracle ?? new OracleDocument();
        var oracleSetting = new OracleSetting(Name(oracle.BuildConfig, "oracle.buildConfig"), Name(oracle.ImageStream, "oracle.imageStream"));

        if (doc.ImageStreams is not { Count: > 0 })
        {
            Bad("imageStreams", "must list at least one image stream");
        }

        var streams = new List<ImageStreamStep>();
        for (var i = 0; i < doc.ImageStreams!.Count; i++)
        {
            var s = doc.ImageStreams[i];
            var at = $"imageStreams[{i}]";
            var name = Name(s.Name, $"{at}.name");
            if (streams.Any(x => x.Name == name))
            {
                Bad($"{at}.name", $"\"{name}\" is listed twice");
            }

            var image = Required(s.Image, $"{at}.image");
            if (!PullSpec().IsMatch(image))
            {
                Bad($"{at}.image", $"\"{image}\" must be a pull spec such as registry.example.com/repo/name:tag");
            }

            if (s.Triggers is not { Count: > 0 })
            {
                Bad($"{at}.triggers", "must name the DeploymentConfigs the stream's latest tag triggers");
            }

            var triggers = s.Triggers!.Select((t, j) => Name(t, $"{at}.triggers[{j}]")).ToList();
            streams.Add(new ImageStreamStep(name, image, s.DisplayName ?? $"{name} {target}", s.LatestDisplayName ?? $"{name} (latest)", triggers, s.Optional));
        }

        if (!streams.Any(s => s.Name == oracleSetting.ImageStream))
        {
            Bad("oracle.imageStream", $"\"{oracleSetting.ImageStream}\" is not among imageStreams: name the stream the Oracle build pushes (amp-system)");
        }

        var checks = new List<VerifyCheck>();
        for (var i = 0; i < (doc.Verify?.Count ?? 0); i++)
        {
            var v = doc.Verify![i];
            var at = $"verify[{i}]";
            var repository = Required(v.Repository, $"{at}.repository");
            if (repository.Contains('@', StringComparison.Ordinal) || !PullSpec().IsMatch(repository) || repository.LastIndexOf(':') > repository.LastIndexOf('/'))
            {
                Bad($"{at}.repository", $"\"{repository}\" must be a repository without tag or digest, such as registry.redhat.io/3scale-amp2/system-rhel7");
            }

            var dc = Name(v.DeploymentConfig, $"{at}.deploymentConfig");
            if (checks.Any(c => c.DeploymentConfig == dc))
            {
                Bad($"{at}.deploymentConfig", $"\"{dc}\" is listed twice");
            }

            checks.Add(new VerifyCheck(dc, repository, v.Optional, v.MustRun));
        }

        if (checks.Count == 0)
        {
            Bad("verify", "must list at least one DeploymentConfig to verify");
        }

        PreHookSetting? preHook = null;
        if (doc.PreHook is { } h)
        {
            var key = Required(h.Key, "preHook.key");
            if (!EnvName().IsMatch(key))
            {
                Bad("preHook.key", $"\"{key}\" is not an environment variable name");
            }

            IReadOnlyList<string> Command(List<string>? command, string field) =>
                command is { Count: > 0 } && command.All(c => c is not null) ? command : throw new UpgradeException(ExitCode.BadInput, $"{origin}: {field}: must list the command and its arguments");
            preHook = new PreHookSetting(Name(h.DeploymentConfig, "preHook.deploymentConfig"), Name(h.Secret, "preHook.secret"), key,
                Command(h.Source, "preHook.source"), Command(h.Target, "preHook.target"));
            if (preHook.Source.SequenceEqual(preHook.Target, StringComparer.Ordinal))
            {
                Bad("preHook.target", "must differ from preHook.source");
            }
        }

        return new UpgradePlan(source, target, releaseSetting, oracleSetting, streams, checks, preHook);
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvName();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123();

    [GeneratedRegex(@"^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)+(:[\w][\w.-]{0,127})?(@sha256:[0-9a-f]{64})?$")]
    private static partial Regex PullSpec();

    // YAML shapes, nullable so that a missing field is reported by name instead of failing deserialization.
#pragma warning disable CA1812, CA1002, CA2227, CA1034 // instantiated and filled by YamlDotNet's generated context (PlanYamlContext)
    internal sealed class PlanDocument
    {
        public string? Source { get; set; }

        public string? Target { get; set; }

        public ReleaseDocument? Release { get; set; }

        public OracleDocument? Oracle { get; set; }

        public List<StreamDocument>? ImageStreams { get; set; }

        public List<VerifyDocument>? Verify { get; set; }

        public PreHookDocument? PreHook { get; set; }
    }

    internal sealed class PreHookDocument
    {
        public string? DeploymentConfig { get; set; }

        public string? Secret { get; set; }

        public string? Key { get; set; }

        public List<string>? Source { get; set; }

        public List<string>? Target { get; set; }
    }

    internal sealed class ReleaseDocument
    {
        public string? DeploymentConfig { get; set; }

        public string? Env { get; set; }

        public string? ConfigMap { get; set; }
    }

    internal sealed class OracleDocument
    {
        public string? BuildConfig { get; set; } = "3scale-amp-system-oracle";

        public string? ImageStream { get; set; } = "amp-system";
    }

    internal sealed class StreamDocument
    {
        public string? Name { get; set; }

        public string? Image { get; set; }

        public string? DisplayName { get; set; }

        public string? LatestDisplayName { get; set; }

        public List<string>? Triggers { get; set; }

        public bool Optional { get; set; }
    }

    internal sealed class VerifyDocument
    {
        public string? DeploymentConfig { get; set; }

        public string? Repository { get; set; }

        public bool Optional { get; set; }

        public bool MustRun { get; set; }
    }
#pragma warning restore CA1812, CA1002, CA2227, CA1034
}
