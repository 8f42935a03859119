using CiUpgrade.Cli;

// TLS certificate validation looks for the user's certificate stores under HOME, falling back to the passwd entry;
// an arbitrary OpenShift UID with HOME unset has neither, and every handshake would fail ("No such file or
// directory" from PersistedFiles.GetHomeDirectory). "/" is what container runtimes give such a user; nothing is
// written there (the stores are only looked for).
if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("HOME")))
{
    Environment.SetEnvironmentVariable("HOME", "/");
}

// This process owns its environment: the cluster connection may keep the system certificate store unread.
CiUpgrade.Cluster.SystemTrustStore.MaySkip = true;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
var exitCode = await CliApp.RunAsync(args, Console.Out, Console.Error, cancel.Token);
CiUpgrade.Reporting.GcReport.WriteIfAsked(Console.Error);
return exitCode;
