namespace CiUpgrade.Cluster;

/// <summary>
/// Walks one kind's paged LIST namespace by namespace, in step with another kind's: both arrive in storage key order
/// (see <see cref="NamespaceGroups"/>), so asking for namespaces in that order skips the ones the other kind lacks
/// and holds only the current group.
/// </summary>
public sealed class NamespaceCursor<T>(IAsyncEnumerable<(string Namespace, List<T> Items)> groups, CancellationToken ct) : IAsyncDisposable
{
    private readonly IAsyncEnumerator<(string Namespace, List<T> Items)> _groups = groups.GetAsyncEnumerator(ct);
    private (string Namespace, List<T> Items)? _current;
    private bool _done;

    /// <summary>The objects of <paramref name="ns"/> (none when it has none); asked in key order.</summary>
    public async Task<List<T>> TakeAsync(string ns)
    {
        while (!_done && (_current is null || NamespaceGroups.Compare(_current.Value.Namespace, ns) < 0))
        {
            _done = !await _groups.MoveNextAsync();
            _current = _done ? null : _groups.Current;
        }

        return _current?.Namespace == ns ? _current.Value.Items : [];
    }

    public ValueTask DisposeAsync() => _groups.DisposeAsync();
}
