using System.Net.Http;
using CiUpgrade.Cluster;
using CiUpgrade.Plans;
using CiUpgrade.Reporting;
using CiUpgrade.Rules;
using CiUpgrade.Stages;
using CommandLine;
using CommandLine.Text;

namespace CiUpgrade.Cli;

/// <summary>
/// Parses one verb, runs its stage and maps the outcome to an exit code. The only place that catches
/// everything: users see one line on stderr, never a stack trace (unless CIUPGRADE_DEBUG=1).
/// </summary>
public static class CliApp
{
    public const string ExitCodesHelp = """
        Exit codes:
          0  success (preflight: also when already upgraded)
          1  verification failed (verify, gate)
          2  bad usage or input: unknown verb or flag, bad plan file, kubeconfig, context or namespace
          3  cannot reach or authenticate to the cluster, or permission denied
          4  cluster not in a state this stage can act on: target version not the plan's, wrong release, Oracle, missing objects, failed import
          5  rollout, Oracle system build or database dump failed, or timed out
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        using var parser = new Parser(s =>
        {
            s.HelpWriter = null;
            s.AutoVersion = true;
            s.AutoHelp = true;
        });
        args = SwitchValues(args);
        var result = parser.ParseArguments<PreflightOptions, BackupOptions, PatchImageStreamsOptions, WaitRolloutsOptions,
            SetReleaseOptions, VerifyOptions, RollbackOptions, DriftOptions, PlanOptions, BuildOracleSystemOptions, GateOptions, UpdatePreHookOptions>(args);
        return await result.MapResult(
            (PreflightOptions o) => RunAsync(o, stdout, stderr, c => new PreflightStage(c).RunAsync(NullIfEmpty(o.SystemImage), NullIfEmpty(o.OracleClientDir), NullIfEmpty(o.ResultsDir), ct)),
            (BackupOptions o) => RunAsync(o, stdout, stderr, c => new BackupStage(c).RunAsync(o.BackupDir, NullIfEmpty(o.RunId), o.Databases, ct)),
            (PatchImageStreamsOptions o) => RunAsync(o, stdout, stderr, c => new PatchImageStreamsStage(c).RunAsync(o.NoWait, o.DryRun, NullIfEmpty(o.SystemImage), o.Oracle, NullIfEmpty(o.OracleClientDir), ct)),
            (WaitRolloutsOptions o) => RunAsync(o, stdout, stderr, c => new WaitRolloutsStage(c).RunAsync(o.DeploymentConfigs.Where(d => d.Length > 0).ToList(), ct)),
            (SetReleaseOptions o) => RunAsync(o, stdout, stderr, c => new SetReleaseStage(c).RunAsync(o.NoWait, o.DryRun, ct)),
            (VerifyOptions o) => RunAsync(o, stdout, stderr, c => new VerifyStage(c).RunAsync(o.Junit, NullIfEmpty(o.ResultsDir), NullIfEmpty(o.WriteBaseline), ct)),
            (RollbackOptions o) => RunAsync(o, stdout, stderr, c => new RollbackStage(c).RunAsync(o.BackupDir, o.KeepTargetTag, o.NoWait, NullIfEmpty(o.RunId), ct)),
            (DriftOptions o) => RunAsync(o, stdout, stderr, c => new DriftStage(c).RunAsync(o.Junit, NullIfEmpty(o.ResultsDir), InConfigDir(NullIfEmpty(o.ConfigDir), NullIfEmpty(o.Baseline)), o.AllNamespaces, NullIfEmpty(o.Selector), ct)),
            (PlanOptions o) => RunAsync(o, stdout, stderr, c => new PlanStage(c).RunAsync(NullIfEmpty(o.SystemImage), NullIfEmpty(o.OracleClientDir), ct)),
            (UpdatePreHookOptions o) => RunAsync(o, stdout, stderr, c => new UpdatePreHookStage(c).RunAsync(o.Force, o.DryRun, ct)),
            (BuildOracleSystemOptions o) => RunAsync(o, stdout, stderr, c => new BuildOracleSystemStage(c).RunAsync(NullIfEmpty(o.OracleClientDir), o.Force, o.NoWait, ct)),
            (GateOptions o) => Guard(stderr, () => Task.FromResult((int)GateStage.Run(o, stdout))),
            errors => Task.FromResult(Usage(result, errors.ToList(), stdout, stderr)));
    }

    private static Task<int> RunAsync(ClusterOptions options, TextWriter stdout, TextWriter stderr, Func<StageContext, Task<ExitCode>> stage)
    {
        var secrets = new SecretMask();
        return Guard(stderr, async () =>
        {
            // Tekton passes every flag, empty when unused: an empty value means "not given".
            options.Kubeconfig = NullIfEmpty(options.Kubeconfig);
            options.Context = NullIfEmpty(options.Context);
            options.Namespace = NullIfEmpty(options.Namespace);
            options.ConfigDir = NullIfEmpty(options.ConfigDir);
            options.Plan = InConfigDir(options.ConfigDir, NullIfEmpty(options.Plan));
            if (options.Output is not ("text" or "json"))
            {
                throw new UpgradeException(ExitCode.BadInput, $"--output \"{options.Output}\" is not supported: use text or json");
            }

            var timeout = Durations.Parse(options.Timeout);
            var plan = PlanLoader.Load(options.Plan);
            if (options is PreflightOptions preflight && Rules.TargetVersionCheck.Problem(plan, options.Plan, NullIfEmpty(preflight.TargetVersion)) is { } wrongTarget)
            {
                // Decided by the plan alone: before the kubeconfig is read or the cluster asked anything.
                throw new UpgradeException(ExitCode.WrongClusterState, wrongTarget);
            }

            if (plan.PreHook is { } hook)
            {
                // The hook command carries the master access token (the 2.6 template bakes it in): never print its value.
                secrets.AddFilter(text => Rules.PreHookCommand.Mask(text, hook));
            }

            var (config, ns) = ClusterConnection.Resolve(options.Kubeconfig, options.Context, options.Namespace);
            var counter = new RequestCounter();
            using var kube = ClusterConnection.CreateClient(config, counter);
            var context = new StageContext(new OpenShiftClient(kube, ns, counter), plan, new Reporter(stdout, options.Output == "json", TimeProvider.System, secrets), TimeProvider.System, timeout)
            {
                RetryFailures = !options.NoRetry,
            };
            return (int)await stage(context);
        }, secrets);
    }

    /// <summary>
    /// `--databases=true|false`: a Tekton Task can only pass a param's value, never leave an argument out, so the
    /// switches a Task sets from a param also take this form (`=false` is the switch not given).
    /// </summary>
    internal static string[] SwitchValues(string[] args) => args
        .Where(a => !a.Equals("--databases=false", StringComparison.OrdinalIgnoreCase))
        .Select(a => a.Equals("--databases=true", StringComparison.OrdinalIgnoreCase) ? "--databases" : a)
        .ToArray();

    internal static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>A relative <paramref name="path"/> read from --config-dir when one is given (Tekton mounts a ConfigMap there).</summary>
    internal static string? InConfigDir(string? configDir, string? path) =>
        configDir is null || path is null || Path.IsPathRooted(path) ? path : Path.Combine(configDir, path);

    private static async Task<int> Guard(TextWriter stderr, Func<Task<int>> run, SecretMask? secrets = null)
    {
        var mask = secrets ?? new SecretMask();
        try
        {
            return await run();
        }
        catch (UpgradeException e)
        {
            await stderr.WriteLineAsync($"error: {mask.Apply(e.Message)}");
            Debug(stderr, e, mask);
            return (int)e.ExitCode;
        }
        catch (HttpRequestException e)
        {
            await stderr.WriteLineAsync($"error: cannot reach the API server: {mask.Apply(e.Message)} (check --kubeconfig/--context and the network)");
            Debug(stderr, e, mask);
            return (int)ExitCode.ClusterUnreachable;
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("error: cancelled");
            return (int)ExitCode.RolloutFailed;
        }
#pragma warning disable CA1031 // the one catch-all: any other failure still gets one line and a documented code
        catch (Exception e)
#pragma warning restore CA1031
        {
            await stderr.WriteLineAsync($"error: unexpected error: {mask.Apply(e.Message)} (set CIUPGRADE_DEBUG=1 for details)");
            Debug(stderr, e, mask);
            return (int)ExitCode.BadInput;
        }
    }

    private static void Debug(TextWriter stderr, Exception e, SecretMask mask)
    {
        if (Environment.GetEnvironmentVariable("CIUPGRADE_DEBUG") == "1")
        {
            stderr.WriteLine(mask.Apply(e.ToString()));
        }
    }

    private static int Usage(ParserResult<object> result, List<Error> errors, TextWriter stdout, TextWriter stderr)
    {
        var asked = errors.All(e => e is HelpRequestedError or HelpVerbRequestedError or VersionRequestedError);
        var help = HelpText.AutoBuild(result, maxDisplayWidth: 110).ToString();
        var isVersion = errors.Any(e => e is VersionRequestedError);
        var text = isVersion ? help : help.TrimEnd() + Environment.NewLine + Environment.NewLine + ExitCodesHelp;
        (asked ? stdout : stderr).WriteLine(text);
        return asked ? (int)ExitCode.Success : (int)ExitCode.BadInput;
    }
}
