using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace CiUpgrade.Simulator.Storage;

/// <summary>
/// `--state-dir DIR`: the store (every object and the resourceVersion counter), the admin token, the serving
/// certificate and the port kept on disk, so the simulator can be stopped and started again with its state and
/// clients keep working with the same kubeconfig — a rehearsal of an API server restart. The store is written
/// (to a temporary file, then renamed) at most once a second after a change, and on shutdown; files are mode 0600.
/// </summary>
public sealed class StateDirectory
{
    private const string StoreFile = "store.json";
    private const string TokenFile = "admin-token";
    private const string CertificateFile = "serving.pfx";
    private const string PortFile = "port";

    public StateDirectory(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(Path);
        }
        else
        {
            // It holds the admin token and the serving key: a directory created here is the owner's only (0700).
            Directory.CreateDirectory(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public string Path { get; }

    /// <summary>Whether a previous run left a store here (then nothing is seeded).</summary>
    public bool HasStore => System.IO.File.Exists(PathOf(StoreFile));

    public ObjectStore LoadStore() =>
        ObjectStore.FromSnapshot(JsonNode.Parse(System.IO.File.ReadAllText(PathOf(StoreFile))) as JsonObject
            ?? throw new InvalidDataException($"{PathOf(StoreFile)} is not a JSON object"));

    public void SaveStore(ObjectStore store) => Write(StoreFile, System.Text.Encoding.UTF8.GetBytes(store.Snapshot().ToJsonString()));

    public string AdminToken()
    {
        if (System.IO.File.Exists(PathOf(TokenFile)))
        {
            return System.IO.File.ReadAllText(PathOf(TokenFile)).Trim();
        }

        var token = Auth.AccessControl.NewToken();
        Write(TokenFile, System.Text.Encoding.ASCII.GetBytes(token));
        return token;
    }

    public X509Certificate2 Certificate()
    {
        if (System.IO.File.Exists(PathOf(CertificateFile)))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(PathOf(CertificateFile), null);
        }

        var certificate = Api.ServingCertificate.Create();
        Write(CertificateFile, certificate.Export(X509ContentType.Pkcs12));
        return certificate;
    }

    /// <summary>The port the previous run listened on (0 when none), so the kubeconfig's server URL stays valid.</summary>
    public int Port() =>
        System.IO.File.Exists(PathOf(PortFile)) && int.TryParse(System.IO.File.ReadAllText(PathOf(PortFile)).Trim(), CultureInfo.InvariantCulture, out var port) ? port : 0;

    public void SavePort(int port) => Write(PortFile, System.Text.Encoding.ASCII.GetBytes(port.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Saves the store after changes (at most once a second) until <paramref name="stop"/>, then once more.</summary>
    public async Task KeepSavedAsync(ObjectStore store, CancellationToken stop)
    {
        var changes = store.Watch(null, null, null, stop);
        try
        {
            while (await changes.WaitToReadAsync(stop))
            {
                while (changes.TryRead(out _))
                {
                }

                SaveStore(store);
                await Task.Delay(TimeSpan.FromSeconds(1), stop);
            }
        }
        catch (OperationCanceledException)
        {
        }

        SaveStore(store);
    }

    private string PathOf(string name) => System.IO.Path.Combine(Path, name);

    private void Write(string name, byte[] content)
    {
        var target = PathOf(name);
        var temp = target + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        System.IO.File.Delete(temp);
        using (var stream = new FileStream(temp, options))
        {
            stream.Write(content);
        }

        System.IO.File.Move(temp, target, overwrite: true);
    }
}
