using System.Diagnostics.CodeAnalysis;
using System.Net.Http;
using System.Reflection;
using CiUpgrade.Cluster;
using CiUpgrade.Plans;
using CiUpgrade.Reporting;
using CiUpgrade.Rules;
using CiUpgrade.Stages;
using CommandLine;
using CommandLine.Text;
using k8s;

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
          1  verification failed (verify, gate), or drift found (drift)
          2  bad usage or input: unknown verb or flag, a flag's value, bad plan, baseline or backup file,
             kubeconfig, context or namespace
          3  cannot reach or authenticate to the cluster (also after the retries of 5xx/429 answers and the
             --api-retry-budget of an outage), or permission denied
          4  cluster not in a state this stage can act on: target version not the plan's, wrong release, Oracle,
             missing objects, failed import, an object deleted or changed by another client while the stage ran,
             another upgrade holding the lock
          5  rollout, Oracle system build or database dump failed, or timed out
        """;

    // CommandLineParser finds each verb's options by reflection (properties and their setters and attributes, the
    // constructor, the static [Usage] examples) and is not trim-annotated (commandlineparser/commandline#848): these
    // keep exactly those members in the NativeAOT binary, instead of rooting the whole assembly.
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(VerbOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(ClusterOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(PreflightOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(BackupOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(UpdatePreHookOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(PatchImageStreamsOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(BuildOracleSystemOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(WaitRolloutsOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(SetReleaseOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(VerifyOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(GateOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(RollbackOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(UnlockOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(DriftOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(PlanOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(TargetKubeconfigOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(ReportOptions))]
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        args = SwitchValues(args);
        using var parser = new Parser(s =>
        {
            s.HelpWriter = null;
            s.AutoVersion = true;
            s.AutoHelp = true;
        });
        var result = parser.ParseArguments(args, Verbs.ToParse(args));
        if (result is not Parsed<object> { Value: VerbOptions options })
        {
            return Usage(result, result.Errors.ToList(), stdout, stderr);
        }

        var verb = Verbs.NameOf(options.GetType());
        if (UsageErrors.Unparsed(options, args) is { } mistake)
        {
            await stderr.WriteLineAsync($"error: {mistake}; see {UsageErrors.HelpCommand(verb)}");
            return (int)ExitCode.BadInput;
        }

        return await (options switch
        {
            PreflightOptions o => RunAsync(o, "preflight", stdout, stderr, c => new PreflightStage(c).RunAsync(InputValidation.SystemImage(NullIfEmpty(o.SystemImage)), NullIfEmpty(o.OracleClientDir), NullIfEmpty(o.ResultsDir), ct, NamespaceLock.HolderFor(NullIfEmpty(o.RunId)))),
            BackupOptions o => RunAsync(o, "backup", stdout, stderr, c => new BackupStage(c).RunAsync(PerTarget(o, o.BackupDir), NullIfEmpty(o.RunId), o.Databases, ct)),
            UpdatePreHookOptions o => RunAsync(o, "update-prehook", stdout, stderr, Locked(o, "update-prehook", HoldsLock(o), ct, _ => 0, (c, _, t) => new UpdatePreHookStage(c).RunAsync(o.Force, o.DryRun, t))),
            PatchImageStreamsOptions o => RunAsync(o, "patch-imagestreams", stdout, stderr, Locked(o, "patch-imagestreams", HoldsLock(o), ct, _ => InputValidation.SystemImage(NullIfEmpty(o.SystemImage)), (c, image, t) => new PatchImageStreamsStage(c).RunAsync(o.NoWait, o.DryRun, image, o.Oracle, NullIfEmpty(o.OracleClientDir), t))),
            BuildOracleSystemOptions o => RunAsync(o, "build-oracle-system", stdout, stderr, Locked(o, "build-oracle-system", HoldsLock(o), ct, _ => 0, (c, _, t) => new BuildOracleSystemStage(c).RunAsync(NullIfEmpty(o.OracleClientDir), o.Force, o.NoWait, t))),
            WaitRolloutsOptions o => RunAsync(o, "wait-rollouts", stdout, stderr, c => new WaitRolloutsStage(c).RunAsync(o.DeploymentConfigs.Where(d => d.Length > 0).Select(d => InputValidation.ObjectName(d, "--dc")).ToList(), ct)),
            SetReleaseOptions o => RunAsync(o, "set-release", stdout, stderr, Locked(o, "set-release", HoldsLock(o), ct, _ => 0, (c, _, t) => new SetReleaseStage(c).RunAsync(o.NoWait, o.DryRun, t))),
            VerifyOptions o => RunAsync(o, "verify", stdout, stderr, c => new VerifyStage(c).RunAsync(ReportFile(o, o.Junit, c.Namespace), NullIfEmpty(o.ResultsDir), NullIfEmpty(o.WriteBaseline), ct, InputValidation.SystemImage(NullIfEmpty(o.SystemImage)))),
            GateOptions o => Guard(stderr, "gate", null, () => Task.FromResult((int)GateStage.Run(o, stdout))),
            RollbackOptions o => RunAsync(o, "rollback", stdout, stderr, Locked(o, "rollback", HoldsLock(o), ct, c => o.RestoreData && o.NoWait
                ? throw new UsageException("--no-wait cannot be combined with --restore-data (each step of a data restore waits for the one before)")
                : new BackupLocator(c.Reporter, "rollback").Locate(PerTarget(o, o.BackupDir), c.Namespace, c.Plan, NullIfEmpty(o.RunId)),
                (c, backup, t) => new RollbackStage(c).RunAsync(backup, o.KeepTargetTag, o.NoWait, o.RestoreData, o.DryRun, t))),
            UnlockOptions o => RunAsync(o, "unlock", stdout, stderr, c => new UnlockStage(c).RunAsync(NullIfEmpty(o.RunId), o.Force, ct)),
            DriftOptions o => RunAsync(o, "drift", stdout, stderr, c => new DriftStage(c).RunAsync(ReportFile(o, o.Junit, c.Namespace), NullIfEmpty(o.ResultsDir), CheckedBaseline(InConfigDir(NullIfEmpty(o.ConfigDir), NullIfEmpty(o.Baseline))), o.AllNamespaces, NullIfEmpty(o.Selector), ct)),
            PlanOptions o => RunAsync(o, "plan", stdout, stderr, c => new PlanStage(c).RunAsync(InputValidation.SystemImage(NullIfEmpty(o.SystemImage)), NullIfEmpty(o.OracleClientDir), ct)),
            TargetKubeconfigOptions o => RunAsync(o, "target-kubeconfig", stdout, stderr, (c, kube, config) => new TargetKubeconfigStage(c, new ServiceAccountTokenClient(kube, c.Namespace), config)
                .RunAsync(InputValidation.ObjectName(o.ServiceAccount, "--service-account"), InputValidation.TokenSource(o.TokenSource), InputValidation.TokenLifetime(o.TokenLifetime),
                    InputValidation.Server(NullIfEmpty(o.Server)), NullIfEmpty(o.OutputFile), stdout, ct), eventsToStderr: true),
            ReportOptions o => Guard(stderr, "report", null, () => Task.FromResult((int)ReportStage.Run(o, stdout))),
            _ => throw new InvalidOperationException($"verb {verb} has no stage: add it to CliApp.RunAsync"),
        });
    }

    /// <summary>
    /// Everything the user gave is checked here, before the first request (the stage's own arguments are checked as
    /// they are passed, which is also before it sends anything): flags, plan, kubeconfig and namespace.
    /// </summary>
    private static Task<int> RunAsync(ClusterOptions options, string verb, TextWriter stdout, TextWriter stderr, Func<StageContext, Task<ExitCode>> stage) =>
        RunAsync(options, verb, stdout, stderr, (context, _, _) => stage(context));

    /// <summary>
    /// Also hands the stage the client and the resolved kubeconfig (target-kubeconfig needs its server and CA); with
    /// <paramref name="eventsToStderr"/> the events go to stderr, leaving stdout to what the stage writes there.
    /// </summary>
    private static Task<int> RunAsync(ClusterOptions options, string verb, TextWriter stdout, TextWriter stderr,
        Func<StageContext, Kubernetes, KubernetesClientConfiguration, Task<ExitCode>> stage, bool eventsToStderr = false)
    {
        string? ns = null;
        var secrets = new SecretMask();
        return Guard(stderr, verb, () => ns, async () =>
        {
            // Tekton passes every flag, empty when unused: an empty value means "not given".
            var target = NullIfEmpty(options.Target) is { } entry ? TargetEntry.Parse(entry) : null;
            (options.Kubeconfig, options.Context, options.Namespace) = TargetKubeconfig.Resolve(NullIfEmpty(options.KubeconfigDir), target,
                NullIfEmpty(options.Kubeconfig), NullIfEmpty(options.Context), NullIfEmpty(options.Namespace));
            options.ConfigDir = NullIfEmpty(options.ConfigDir);
            options.Plan = InConfigDir(options.ConfigDir, NullIfEmpty(options.Plan));
            var output = InputValidation.Output(options.Output);
            if (options.Namespace is not null)
            {
                InputValidation.Namespace(options.Namespace, "-n/--namespace");
            }

            var timeout = InputValidation.Timeout(options.Timeout);
            var budget = InputValidation.ApiRetryBudget(NullIfEmpty(options.ApiRetryBudget) ?? "2m", timeout, HoldsLock(options));
            var plan = PlanLoader.Load(options.Plan);
            if (options is PreflightOptions preflight && TargetVersionCheck.Problem(plan, options.Plan, NullIfEmpty(preflight.TargetVersion)) is { } wrongTarget)
            {
                // Decided by the plan alone: before the kubeconfig is read or the cluster asked anything.
                throw new UpgradeException(ExitCode.WrongClusterState, wrongTarget);
            }

            if (plan.PreHook is { } hook)
            {
                // The hook command carries the master access token (the 2.6 template bakes it in): never print its value.
                secrets.AddFilter(text => PreHookCommand.Mask(text, hook));
            }

            var (config, resolved) = ClusterConnection.Resolve(options.Kubeconfig, options.Context, options.Namespace);
            // A target kubeconfig's credentials never reach the log, whatever a message quotes.
            foreach (var credential in new[] { config.AccessToken, config.Password, config.ClientCertificateKeyData })
            {
                secrets.Add(credential ?? string.Empty);
            }

            ns = options.Namespace is not null ? InputValidation.Namespace(resolved, "-n/--namespace") : ContextNamespace(resolved);
            var counter = new RequestCounter();
            var outage = new ApiOutage(budget, TimeProvider.System);
            using var kube = ClusterConnection.CreateClient(config, outage, counter);
            var reporter = new Reporter(eventsToStderr ? stderr : stdout, output == "json", TimeProvider.System, secrets);
            outage.Progress = line => reporter.Event(verb, "unreachable", line);
            var context = new StageContext(new OpenShiftClient(kube, ns, counter), plan, reporter, TimeProvider.System, timeout)
            {
                RetryFailures = !options.NoRetry,
            };
            return (int)await stage(context, kube, config);
        }, secrets);
    }

    /// <summary>
    /// A mutating stage runs under the namespace lock (<see cref="StageLock"/>): after the input checks
    /// (<paramref name="checkedInput"/>: the stage's own input, rollback's backup) it waits, reading only, while another
    /// run holds the lock; the lock is taken just before the stage's first write, so a refusal or a no-op writes nothing.
    /// It stops (exit 4) when another run takes the lock over. Dry runs take none.
    /// </summary>
    private static Func<StageContext, Task<ExitCode>> Locked<T>(ClusterOptions options, string stage, bool take, CancellationToken ct, Func<StageContext, T> checkedInput,
        Func<StageContext, T, CancellationToken, Task<ExitCode>> run) => async context =>
    {
        var input = checkedInput(context);
        if (!take)
        {
            return await run(context, input, ct);
        }

        await using var held = new StageLock(context, stage, NamespaceLock.HolderFor(NullIfEmpty(options.RunId)));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, held.Lost);
        context.Client.BeforeWrite = held.EnsureHeldAsync;
        try
        {
            while (true)
            {
                try
                {
                    await held.WaitUntilFreeAsync(ct);
                    return await run(context, input, linked.Token);
                }
                catch (LockContendedException)
                {
                    // Nothing was written: check again, now holding the lock, what the other run may have changed.
                    context.Reporter.Event(stage, "lock", $"holding the upgrade lock of namespace {context.Namespace} after another run: checking again before the first change");
                }
            }
        }
        catch (OperationCanceledException) when (held.Lost.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new UpgradeException(ExitCode.WrongClusterState,
                $"the upgrade lock of namespace {context.Namespace} was taken over by {held.TakenBy} while {stage} ran, so it stopped; rerun {stage} once that run has finished");
        }
        finally
        {
            context.Client.BeforeWrite = null;
        }
    };

    /// <summary>The kubeconfig context's namespace: a bad one is the kubeconfig's mistake, not the command line's.</summary>
    private static string ContextNamespace(string ns)
    {
        try
        {
            return InputValidation.Namespace(ns, "the kubeconfig context's namespace");
        }
        catch (UsageException e)
        {
            throw new UpgradeException(ExitCode.BadInput, $"{e.Message}: fix the context or pass -n/--namespace");
        }
    }

    /// <summary>Whether this invocation holds the namespace lock: a mutating stage that is not a dry run.</summary>
    private static bool HoldsLock(ClusterOptions options) => options switch
    {
        UpdatePreHookOptions o => !o.DryRun,
        PatchImageStreamsOptions o => !o.DryRun,
        SetReleaseOptions o => !o.DryRun,
        RollbackOptions o => !o.DryRun,
        BuildOracleSystemOptions => true,
        _ => false,
    };

    /// <summary>The baseline file, read once here so that a bad one is refused before the first request.</summary>
    private static string? CheckedBaseline(string? path)
    {
        if (path is not null)
        {
            Baseline.Read(path);
        }

        return path;
    }

    /// <summary>
    /// `--databases=true|false`: a Tekton Task can only pass a param's value, never leave an argument out, so the
    /// switches a Task sets from a param also take this form (`=false` is the switch not given). `-h` is `--help`, as
    /// for kubectl and oc (CommandLineParser knows only the long form).
    /// </summary>
    internal static string[] SwitchValues(string[] args) => HelpVerb(args
        .Where(a => !a.Equals("--databases=false", StringComparison.OrdinalIgnoreCase) && !a.Equals("--restore-data=false", StringComparison.OrdinalIgnoreCase))
        .Select(a => a.Equals("--databases=true", StringComparison.OrdinalIgnoreCase) ? "--databases"
            : a.Equals("--restore-data=true", StringComparison.OrdinalIgnoreCase) ? "--restore-data" : a == "-h" ? "--help" : a)
        .ToArray());

    /// <summary>`ciupgrade help VERB` is `ciupgrade VERB --help` (CommandLineParser's help verb loses the verb's help screen).</summary>
    private static string[] HelpVerb(string[] args) => args is ["help", var verb, ..] ? [verb, "--help"] : args is ["help"] ? ["--help"] : args;

    /// <summary>
    /// A fleet's installs often share a namespace name (3scale on every cluster): with --target, backups go under
    /// DIR/NAME, so that &lt;namespace&gt;/&lt;time&gt; directories of different clusters never mix.
    /// </summary>
    private static string PerTarget(ClusterOptions options, string directory) =>
        NullIfEmpty(options.Target) is { } entry ? Path.Combine(directory, TargetEntry.Parse(entry).Name) : directory;

    /// <summary>
    /// A report path ending in '/' is a directory: the report goes there as &lt;install&gt;.xml — the --target's name, else
    /// the namespace — so a fleet's matrix writes its reports side by side for `ciupgrade report`.
    /// </summary>
    private static string ReportFile(ClusterOptions options, string path, string ns) =>
        path.EndsWith('/') ? Path.Combine(path, (NullIfEmpty(options.Target) is { } entry ? TargetEntry.Parse(entry).Name : ns) + ".xml") : path;

    internal static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>A relative <paramref name="path"/> read from --config-dir when one is given (Tekton mounts a ConfigMap there).</summary>
    internal static string? InConfigDir(string? configDir, string? path) =>
        configDir is null || path is null || Path.IsPathRooted(path) ? path : Path.Combine(configDir, path);

    private static async Task<int> Guard(TextWriter stderr, string verb, Func<string?>? ns, Func<Task<int>> run, SecretMask? secrets = null)
    {
        var mask = secrets ?? new SecretMask();
        try
        {
            return await run();
        }
        catch (UsageException e)
        {
            // A flag's value: the line names it, the verb's --help describes it.
            await stderr.WriteLineAsync($"error: {mask.Apply(e.Message)}; see {UsageErrors.HelpCommand(verb)}");
            return (int)ExitCode.BadInput;
        }
        catch (UpgradeException e)
        {
            await stderr.WriteLineAsync($"error: {mask.Apply(e.Message)}");
            Debug(stderr, e, mask);
            return (int)e.ExitCode;
        }
        catch (ClusterRequestException e)
        {
            // An API answer no stage handled (404 on a PATCH, say): the one mapping for it, exit 4 naming the object.
            var mapped = ApiErrorMapping.ForUser(e, ns?.Invoke() ?? "?");
            await stderr.WriteLineAsync($"error: {mask.Apply(mapped.Message)}");
            Debug(stderr, e, mask);
            return (int)mapped.ExitCode;
        }
        catch (HttpRequestException e) when (ApiErrorMapping.IsCertificateRejection(e))
        {
            await stderr.WriteLineAsync($"error: {mask.Apply(ApiErrorMapping.CertificateRejected(e, null).Message)}");
            Debug(stderr, e, mask);
            return (int)ExitCode.ClusterUnreachable;
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

    /// <summary>
    /// Help asked for (`--help`, `VERB --help`, `help VERB`, `--version`) on stdout, exit 0; any other parse error is
    /// one line on stderr naming the mistake and the --help to read, exit 2 (never the whole help text).
    /// </summary>
    private static int Usage(ParserResult<object> result, List<Error> errors, TextWriter stdout, TextWriter stderr)
    {
        if (errors.All(e => e is HelpRequestedError or HelpVerbRequestedError or VersionRequestedError))
        {
            var verbType = result.TypeInfo.Current;
            stdout.WriteLine(errors.Any(e => e is VersionRequestedError) ? HelpScreens.Version()
                : verbType.GetCustomAttribute<VerbAttribute>() is not null ? HelpScreens.ForVerb(result, verbType)
                : HelpScreens.Index());
            return (int)ExitCode.Success;
        }

        var verb = result.TypeInfo.Current.GetCustomAttribute<VerbAttribute>()?.Name;
        stderr.WriteLine($"error: {UsageErrors.Describe(errors.Where(e => e is not (HelpRequestedError or HelpVerbRequestedError or VersionRequestedError)))}; see {UsageErrors.HelpCommand(verb)}");
        return (int)ExitCode.BadInput;
    }
}
