using System.Runtime.InteropServices;

namespace CiUpgrade.Cluster;

/// <summary>
/// Keeps .NET from reading the machine's certificate store when nothing would be trusted from it. With the
/// kubeconfig's certificate authorities as the only trust (as kubectl: client-go's TLS RootCAs hold just the
/// certificate-authority data), every TLS handshake still builds its chain through OpenSSL's cached system store,
/// which .NET loads in full on first use (every file under /etc/ssl/certs: two thirds of `ciupgrade verify`'s CPU
/// time here). .NET reads the store's locations from SSL_CERT_FILE and SSL_CERT_DIR, as OpenSSL does
/// (OpenSslCachedSystemStoreProvider, pal_x509_root.c); empty values name no store.
/// </summary>
public static partial class SystemTrustStore
{
    /// <summary>
    /// Set by the executable's entry point only: setenv is not thread-safe, so only a process that owns its
    /// environment and has not started its requests may change it (never a test host running other tests).
    /// </summary>
    public static bool MaySkip { get; set; }

    /// <summary>Skips the system store for the rest of this process, when allowed; returns whether it did.</summary>
    public static bool Skip()
    {
        if (!MaySkip)
        {
            return false;
        }

        try
        {
            // The native environment, which OpenSSL's getenv reads (Environment.SetEnvironmentVariable changes only .NET's copy).
            return SetEnv("SSL_CERT_FILE", string.Empty, 1) == 0 && SetEnv("SSL_CERT_DIR", string.Empty, 1) == 0;
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
