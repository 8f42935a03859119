using System.Runtime.InteropServices;

namespace CiUpgrade.Cluster;

/// <summary>
/// Keeps .NET from reading the machine's certificate store when nothing would be trusted from it. With the
/// kubeconfig's certificate authorities as the only trust (as kubectl: client-go's TLS RootCAs hold just the
/// certificate-authority data), every TLS handshake still builds its chain through OpenSSL's cached system store,
/// which .NET loads in full on first use (every file under /etc/ssl/certs: two thirds of `ciupgrade verify`'s CPU
/// time here). .NET reads the store's locations from SSL_CERT_FILE and SSL_CERT_DIR, as OpenSSL does
/// (OpenSslCachedSystemStoreProvider, pal_x509_root.c); empty values name no store.
/// Only this process's TLS may lose the store: a child process — a kubeconfig exec credential plugin, which
/// KubernetesClient starts at load and again for a token (ExecTokenProvider) — must see the variables as the user set
/// them (review N6: an OpenSSL-based plugin given "" loads no system CA, OpenSSL by_file.c). .NET starts children with
/// its own managed copy of the environment (ProcessStartInfo.Environment is filled from
/// Environment.GetEnvironmentVariables, which on Unix is a copy of environ taken on first use and changed only by
/// Environment.SetEnvironmentVariable, never by libc setenv), so the user's values are put back into that copy
/// whatever the order: taken before the native change, or restored after it.
/// </summary>
public static partial class SystemTrustStore
{
    /// <summary>
    /// Set by the executable's entry point only: setenv is not thread-safe, so only a process that owns its
    /// environment and has not started its requests may change it (never a test host running other tests).
    /// </summary>
    public static bool MaySkip { get; set; }

    private const string FileVariable = "SSL_CERT_FILE";
    private const string DirVariable = "SSL_CERT_DIR";

    /// <summary>Skips the system store for the rest of this process, when allowed; returns whether it did.</summary>
    public static bool Skip()
    {
        if (!MaySkip)
        {
            return false;
        }

        var file = Environment.GetEnvironmentVariable(FileVariable);
        var dir = Environment.GetEnvironmentVariable(DirVariable);
        try
        {
            // The native environment, which OpenSSL's getenv reads (Environment.SetEnvironmentVariable changes only .NET's copy).
            var skipped = SetEnv(FileVariable, string.Empty, 1) == 0 && SetEnv(DirVariable, string.Empty, 1) == 0;
            // .NET's copy, which child processes get: the user's values (unset stays unset).
            Environment.SetEnvironmentVariable(FileVariable, file);
            Environment.SetEnvironmentVariable(DirVariable, dir);
            return skipped;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No libc to call (not glibc Linux): the store is read, as it would be anyway.
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
