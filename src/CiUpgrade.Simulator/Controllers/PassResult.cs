namespace CiUpgrade.Simulator.Controllers;

/// <summary>What one controller pass did: wrote something, and/or has work that waits on time.</summary>
internal readonly record struct PassResult(bool Changed, bool Pending)
{
    public static PassResult operator |(PassResult a, PassResult b) => new(a.Changed || b.Changed, a.Pending || b.Pending);
}
